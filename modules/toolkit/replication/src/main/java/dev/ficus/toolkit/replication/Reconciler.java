package dev.ficus.toolkit.replication;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.ficus.toolkit.cdc.ChangeEvent;
import dev.ficus.toolkit.cdc.DeadLetters;
import dev.ficus.toolkit.cdc.PostgresDatabase;
import dev.ficus.toolkit.replication.ReconciliationReport.TableReport;
import dev.ficus.toolkit.replication.TableMapping.Column;

/**
 * Compares the source's rows with this database's, a chunk of keys at a time: both sides are read
 * in key order, {@code chunkSize} source rows per query with the target rows of the same key range,
 * and each row is reduced to a checksum of its replicated columns rendered as text by PostgreSQL.
 * Memory holds one chunk and a bounded list of suspects, never a table.
 *
 * <p>While the stream runs, a row may differ only because its latest change is still on its way.
 * So a row that differs is a suspect: its source row is read again (noting the source's clock),
 * this side waits until the stream has applied everything the source committed before then, and
 * reads its row again. If they still differ and the source row did not change meanwhile, the
 * difference is real; if the source row changed, the check is repeated.
 *
 * <p>A repair makes one row here what it is in the source, in one transaction that first takes
 * the replication's mark ({@link MarkedWrites}): the same row every transaction of the stream's
 * takes first, so the stream applies nothing while a repair runs. Only then does the repair read
 * the source. Whatever the stream applied before was committed in the source before that read,
 * and whatever the source commits after it the stream applies after the repair: a repair never
 * puts an older row back over a newer one, and never brings back a row deleted meanwhile.
 *
 * <p>A row whose changes wait behind a dead letter is reported, not repaired: the replay of those
 * changes would follow the repair. Nor is anything repaired once writes moved here (checked in the
 * repair's transaction, under a lock a phase switch takes too), or in a table whose source
 * columns are gone.
 */
final class Reconciler {

    static final int REPORTED_KEYS = 100;
    /** Stands for every key of a table. */
    private static final Set<List<String>> ALL_KEYS = Set.of(List.of("every key"));
    /** Suspects checked again together: the memory a reconciliation holds beyond one chunk. */
    static final int SUSPECTS_PER_CHECK = 1_000;
    private static final int ROUNDS = 5;
    /** How long a check of suspects waits for the stream to catch up with what it read. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** A stream whose "current as of" has not moved for this long is stalled: not waited for. */
    private static final Duration STALLED = Duration.ofSeconds(10);

    private final List<TableMapping> tables;
    private final PostgresDatabase source;
    private final DataSource target;
    private final MarkedWrites writes;
    private final int chunkSize;
    private final Supplier<Optional<Instant>> currentAsOf;
    private final DeadLetters deadLetters;
    private final String schema;
    private final String replication;

    Reconciler(List<TableMapping> tables, PostgresDatabase source, DataSource target, MarkedWrites writes,
            int chunkSize, Supplier<Optional<Instant>> currentAsOf, DeadLetters deadLetters, String schema,
            String replication) {
        this.tables = tables;
        this.source = source;
        this.target = target;
        this.writes = writes;
        this.chunkSize = chunkSize;
        this.currentAsOf = currentAsOf;
        this.deadLetters = deadLetters;
        this.schema = schema;
        this.replication = replication;
    }

    ReconciliationReport reconcile(boolean repair) {
        Instant started = Instant.now();
        List<TableReport> reports = new ArrayList<>();
        boolean caughtUp = true;
        for (TableMapping table : tables) {
            try (Connection sourceConnection = connectToSource();
                 Connection targetConnection = target.getConnection()) {
                TableComparison comparison = new TableComparison(table, sourceConnection, targetConnection, repair);
                reports.add(comparison.run());
                caughtUp &= comparison.caughtUp;
            }
            catch (SQLException e) {
                throw new IllegalStateException("Could not reconcile " + table.target(), e);
            }
        }
        return new ReconciliationReport(started, Duration.between(started, Instant.now()), repair, caughtUp, reports);
    }

    /**
     * Makes the row with this key here what it is in the source: copied, or deleted if the source
     * has no such row.
     *
     * @throws UnknownReplicatedTable if no replicated table is called {@code table} here
     * @throws RowNotFound            if neither database has the row
     */
    RepairResult repair(String tableName, Map<String, String> key) {
        TableMapping table = tables.stream().filter(candidate -> candidate.target().equals(tableName)).findFirst()
                .orElseThrow(() -> new UnknownReplicatedTable(tableName, tables.stream().map(TableMapping::target)
                        .toList()));
        List<String> keyValues = new ArrayList<>();
        for (Column column : table.keys()) {
            String value = key.get(column.target());
            if (value == null) {
                throw new InvalidRowKey("The key of " + tableName + " needs "
                        + table.keys().stream().map(Column::target).toList() + ", got " + key.keySet());
            }
            keyValues.add(value);
        }
        table.schemaProblem().ifPresent(problem -> {
            throw new PhaseSwitchRefused("Not repaired: " + problem);
        });
        Set<List<String>> waiting = waitingBehindDeadLetters(table);
        if (waiting == ALL_KEYS || waiting.contains(renderedKey(table, keyValues))) {
            throw new PhaseSwitchRefused("Not repaired: changes of this row wait in the dead letters, and their "
                    + "replay would follow the repair. Replay them instead.");
        }
        try (Connection sourceConnection = connectToSource()) {
            inUtc(sourceConnection);
            RepairResult result;
            try {
                result = repair(sourceConnection, table, keyValues);
            }
            catch (RuntimeException e) {
                if (isMalformedValue(e)) {
                    throw new InvalidRowKey("Not a valid key of " + table.target() + ": " + keyMap(table, keyValues));
                }
                throw e;
            }
            if (result == RepairResult.NOTHING) {
                throw new RowNotFound(table.target(), keyMap(table, keyValues));
            }
            return result;
        }
        catch (SQLException e) {
            throw new IllegalStateException("Could not connect to the source of " + tableName, e);
        }
    }

    /** SQLSTATE class 22, data exception: a value that is not of the column's type. */
    private static boolean isMalformedValue(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }

    private Connection connectToSource() throws SQLException {
        return DriverManager.getConnection(source.jdbcUrl(), source.user(), source.password());
    }

    /** Timestamps with a time zone render in the session's zone: both sides render alike in UTC. */
    private static void inUtc(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("set time zone 'UTC'");
        }
    }

    /**
     * The keys (as PostgreSQL renders them, in key column order) of the rows of a table whose
     * changes wait in the dead letters; every key of the table if its whole table waits, or a change
     * of no particular row (a truncate) does.
     */
    private Set<List<String>> waitingBehindDeadLetters(TableMapping table) {
        List<DeadLetters.DeadLetter> waiting = deadLetters.pending(table.source(), Integer.MAX_VALUE);
        Set<List<String>> keys = new HashSet<>();
        if (waiting.isEmpty()) {
            return keys;
        }
        try (Connection connection = target.getConnection()) {
            inUtc(connection);
            for (DeadLetters.DeadLetter letter : waiting) {
                ChangeEvent change = letter.change();
                if (letter.holdsTable() || change.key() == null || change.key().isEmpty()) {
                    return ALL_KEYS;
                }
                List<String> key = new ArrayList<>();
                for (Column column : table.keys()) {
                    key.add(rendered(connection, column, TableMapping.text(change.key().get(column.source()))));
                }
                keys.add(key);
            }
            return keys;
        }
        catch (SQLException e) {
            throw new IllegalStateException("Could not read the rows waiting in the dead letters of " + table.target(), e);
        }
    }

    /** A key as PostgreSQL renders it; a value that is not of its column's type is an invalid key. */
    private List<String> renderedKey(TableMapping table, List<String> key) {
        try (Connection connection = target.getConnection()) {
            inUtc(connection);
            List<String> rendered = new ArrayList<>();
            for (int i = 0; i < key.size(); i++) {
                rendered.add(rendered(connection, table.keys().get(i), key.get(i)));
            }
            return rendered;
        }
        catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
                throw new InvalidRowKey("Not a valid key of " + table.target() + ": " + keyMap(table, key));
            }
            throw new IllegalStateException("Could not read a key of " + table.target(), e);
        }
    }

    /** A value as PostgreSQL renders a key column's value: as the comparisons read keys. */
    private static String rendered(Connection connection, Column column, String value) throws SQLException {
        try (PreparedStatement render = connection.prepareStatement("select " + column.targetParameter() + "::text")) {
            render.setString(1, value);
            try (ResultSet result = render.executeQuery()) {
                result.next();
                return result.getString(1);
            }
        }
    }

    /** One row, repaired as the class comment says. */
    private RepairResult repair(Connection sourceConnection, TableMapping table, List<String> key) {
        RepairResult[] result = new RepairResult[1];
        writes.run(this::requireSourceOwnsWrites, jdbc -> {
            jdbc.execute("set local time zone 'UTC'");
            String here = first(jdbc.queryForList(table.targetChecksum(), String.class, key.toArray()));
            String there = checksum(sourceConnection, table.sourceChecksum(), key, table);
            if (there == null) {
                result[0] = here == null ? RepairResult.NOTHING
                        : jdbc.update(table.delete(), key.toArray()) > 0 ? RepairResult.DELETED : RepairResult.NOTHING;
            }
            else if (there.equals(here)) {
                result[0] = RepairResult.UNCHANGED;
            }
            else {
                Object[] row = readSourceRow(sourceConnection, table, key);
                if (row == null) {
                    result[0] = RepairResult.UNCHANGED;
                }
                else {
                    jdbc.update(here == null ? table.insertIfAbsent() : table.overwrite(), row);
                    result[0] = RepairResult.COPIED;
                }
            }
        });
        return result[0];
    }

    /**
     * Once writes moved here, this side's rows are the truth: a repair would copy the source's older
     * rows over them. Checked inside the repair's transaction, under the lock a phase switch holds,
     * and before the mark: a switch waits for the stream, and the stream for the mark.
     */
    private void requireSourceOwnsWrites(JdbcTemplate jdbc) {
        jdbc.queryForList("select pg_advisory_xact_lock_shared(hashtext(?))", Object.class,
                DefaultReplication.switchLock(replication));
        String phase = jdbc.queryForObject("select phase from " + ReplicationTables.phase(schema)
                + " where replication = ?", String.class, replication);
        if (ExtractionPhase.valueOf(phase) == ExtractionPhase.WRITES_MOVED) {
            throw new PhaseSwitchRefused("Writes moved here: this side's rows are the truth, and a repair would copy "
                    + "the source's older rows over them. Reconcile from the other side to repair its copy.");
        }
    }

    private static String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0);
    }

    private static String checksum(Connection connection, String sql, List<String> key, TableMapping table) {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < key.size(); i++) {
                select.setString(i + 1, key.get(i));
            }
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
        catch (SQLException e) {
            if ("22P02".equals(e.getSQLState())) {
                throw new InvalidRowKey("Not a valid key of " + table.target() + ": " + keyMap(table, key));
            }
            throw new IllegalStateException("Could not read " + table.target() + " " + key, e);
        }
    }

    private Object[] readSourceRow(Connection sourceConnection, TableMapping table, List<String> key) {
        try (PreparedStatement select = sourceConnection.prepareStatement(table.selectSourceRow())) {
            for (int i = 0; i < key.size(); i++) {
                select.setString(i + 1, key.get(i));
            }
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                Object[] values = new Object[table.columns().size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = row.getString(i + 1);
                }
                return values;
            }
        }
        catch (SQLException e) {
            if ("22P02".equals(e.getSQLState())) {
                throw new InvalidRowKey("Not a valid key of " + table.target() + ": " + keyMap(table, key));
            }
            throw new IllegalStateException("Could not read " + table.source() + " " + key, e);
        }
    }

    private static Map<String, String> keyMap(TableMapping table, List<String> key) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < key.size(); i++) {
            map.put(table.keys().get(i).target(), key.get(i));
        }
        return map;
    }

    /** A row reduced to its key and a checksum of its replicated columns. */
    private record RowSum(List<String> key, String checksum) {
    }

    private enum Mismatch { MISSING, UNEXPECTED, DIFFERENT }

    private final class TableComparison {

        private final TableMapping table;
        private final Connection sourceConnection;
        private final Connection targetConnection;
        private final boolean repair;
        private long sourceRows;
        private long targetRows;
        private long missing;
        private long unexpected;
        private long different;
        private long inFlight;
        private long repaired;
        private long waiting;
        private Set<List<String>> waitingKeys;
        private boolean caughtUp = true;
        private final List<Map<String, String>> mismatchedKeys = new ArrayList<>();
        private final List<List<String>> suspects = new ArrayList<>();

        TableComparison(TableMapping table, Connection sourceConnection, Connection targetConnection, boolean repair) {
            this.table = table;
            this.sourceConnection = sourceConnection;
            this.targetConnection = targetConnection;
            this.repair = repair;
        }

        TableReport run() throws SQLException {
            inUtc(sourceConnection);
            inUtc(targetConnection);
            try {
                compare();
                settle();
            }
            finally {
                try (var statement = targetConnection.createStatement()) {
                    statement.execute("reset time zone");
                }
            }
            return new TableReport(table.target(), table.source(), sourceRows, targetRows, missing, unexpected,
                    different, inFlight, repaired, waiting, conflictCount(), List.copyOf(mismatchedKeys));
        }

        private long conflictCount() throws SQLException {
            try (PreparedStatement count = targetConnection.prepareStatement("select count(*) from "
                    + ReplicationTables.conflicts(schema) + " where replication = ? and table_name = ?")) {
                count.setString(1, replication);
                count.setString(2, table.target());
                try (ResultSet result = count.executeQuery()) {
                    result.next();
                    return result.getLong(1);
                }
            }
        }

        private void compare() throws SQLException {
            List<String> after = null;
            while (true) {
                List<RowSum> sourceChunk = read(sourceConnection, sums(table.source(), Column::sourceName,
                        Column::sourceParameter, after != null, false, true), after, null);
                sourceRows += sourceChunk.size();
                if (sourceChunk.isEmpty()) {
                    break;
                }
                List<String> last = sourceChunk.get(sourceChunk.size() - 1).key();
                List<RowSum> targetChunk = read(targetConnection, sums(table.target(), Column::targetName,
                        Column::targetParameter, after != null, true, false), after, last);
                targetRows += targetChunk.size();
                match(sourceChunk, targetChunk);
                after = last;
                if (sourceChunk.size() < chunkSize) {
                    break;
                }
            }
            // Rows here beyond the source's last key.
            while (true) {
                List<RowSum> rest = read(targetConnection, sums(table.target(), Column::targetName,
                        Column::targetParameter, after != null, false, true), after, null);
                targetRows += rest.size();
                for (RowSum row : rest) {
                    suspect(row.key());
                }
                if (rest.size() < chunkSize) {
                    break;
                }
                after = rest.get(rest.size() - 1).key();
            }
        }

        private void match(List<RowSum> sourceChunk, List<RowSum> targetChunk) throws SQLException {
            Map<List<String>, String> here = new HashMap<>();
            targetChunk.forEach(row -> here.put(row.key(), row.checksum()));
            for (RowSum row : sourceChunk) {
                String checksum = here.remove(row.key());
                if (!row.checksum().equals(checksum)) {
                    suspect(row.key());
                }
            }
            for (RowSum row : targetChunk) {
                if (here.containsKey(row.key())) {
                    suspect(row.key());
                }
            }
        }

        private void suspect(List<String> key) throws SQLException {
            suspects.add(key);
            if (suspects.size() >= SUSPECTS_PER_CHECK) {
                settle();
            }
        }

        /**
         * Checks the suspects again once the stream caught up with the source; counts (and repairs)
         * the real ones. A row that changes in the source at every look is counted in flight: a
         * change on its way will overwrite what is here anyway.
         */
        private void settle() throws SQLException {
            if (suspects.isEmpty()) {
                return;
            }
            List<List<String>> remaining = new ArrayList<>(suspects);
            suspects.clear();
            Instant patience = Instant.now().plus(PATIENCE);
            Map<List<String>, Mismatch> confirmed = new LinkedHashMap<>();
            for (int round = 1; round <= ROUNDS && !remaining.isEmpty(); round++) {
                Map<List<String>, String> there = checksums(sourceConnection, table.sourceChecksum(), remaining);
                Instant readAt = sourceClock();
                boolean current = awaitStream(readAt, patience);
                caughtUp &= current;
                Map<List<String>, String> here = checksums(targetConnection, table.targetChecksum(), remaining);
                List<List<String>> differing = remaining.stream()
                        .filter(key -> !Objects.equals(there.get(key), here.get(key))).toList();
                inFlight += remaining.size() - differing.size();
                Map<List<String>, String> again = checksums(sourceConnection, table.sourceChecksum(), differing);
                List<List<String>> next = new ArrayList<>();
                for (List<String> key : differing) {
                    if (Objects.equals(again.get(key), there.get(key))) {
                        // The source row stayed as it was, and the stream has applied everything before it.
                        confirmed.put(key, there.get(key) == null ? Mismatch.UNEXPECTED
                                : here.get(key) == null ? Mismatch.MISSING : Mismatch.DIFFERENT);
                    }
                    else {
                        next.add(key);
                    }
                }
                remaining = next;
            }
            inFlight += remaining.size();
            waitingKeys = waitingBehindDeadLetters(table);
            for (Map.Entry<List<String>, Mismatch> mismatch : confirmed.entrySet()) {
                count(mismatch.getKey(), mismatch.getValue());
            }
        }

        private void count(List<String> key, Mismatch kind) {
            switch (kind) {
                case MISSING -> missing++;
                case UNEXPECTED -> unexpected++;
                case DIFFERENT -> different++;
            }
            if (mismatchedKeys.size() < REPORTED_KEYS) {
                mismatchedKeys.add(keyMap(table, key));
            }
            if (waitingKeys == ALL_KEYS || waitingKeys.contains(key)) {
                waiting++;
                return;
            }
            if (repair && table.schemaProblem().isEmpty()) {
                RepairResult result = Reconciler.this.repair(sourceConnection, table, key);
                if (result == RepairResult.COPIED || result == RepairResult.DELETED) {
                    repaired++;
                }
            }
        }

        private Map<List<String>, String> checksums(Connection connection, String sql, List<List<String>> keys)
                throws SQLException {
            Map<List<String>, String> sums = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                for (List<String> key : keys) {
                    for (int i = 0; i < key.size(); i++) {
                        select.setString(i + 1, key.get(i));
                    }
                    try (ResultSet row = select.executeQuery()) {
                        if (row.next()) {
                            sums.put(key, row.getString(1));
                        }
                    }
                }
            }
            return sums;
        }

        private Instant sourceClock() throws SQLException {
            try (var statement = sourceConnection.createStatement();
                 ResultSet now = statement.executeQuery("select clock_timestamp()")) {
                now.next();
                return now.getTimestamp(1).toInstant();
            }
        }

        /**
         * Waits until the stream applied what the source committed before {@code moment}: not past
         * {@code patience}, and not for a stream that does not move (stopped or stalled).
         */
        private boolean awaitStream(Instant moment, Instant patience) {
            Optional<Instant> seen = Optional.empty();
            Instant seenSince = Instant.now();
            while (true) {
                Optional<Instant> asOf = currentAsOf.get();
                if (asOf.isPresent() && !asOf.get().isBefore(moment)) {
                    return true;
                }
                if (!asOf.equals(seen)) {
                    seen = asOf;
                    seenSince = Instant.now();
                }
                if (asOf.isEmpty() || Instant.now().isAfter(patience)
                        || Instant.now().isAfter(seenSince.plus(STALLED))) {
                    return false;
                }
                try {
                    Thread.sleep(50);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }

        /**
         * Keys and checksums in key order, after the key {@code after} (if any) and up to the key
         * {@code upTo} (if bounded), at most a chunk (if limited).
         */
        private String sums(String tableName, Function<Column, String> name, Function<Column, String> parameter,
                boolean hasLowerBound, boolean hasUpperBound, boolean limited) {
            String keys = table.keys().stream().map(name).collect(Collectors.joining(", "));
            String parameters = table.keys().stream().map(parameter).collect(Collectors.joining(", "));
            List<String> conditions = new ArrayList<>();
            if (hasLowerBound) {
                conditions.add("(" + keys + ") > (" + parameters + ")");
            }
            if (hasUpperBound) {
                conditions.add("(" + keys + ") <= (" + parameters + ")");
            }
            // Aliased: a bare column name in ORDER BY would otherwise sort by the text output column.
            return "select " + table.keys().stream()
                    .map(key -> name.apply(key) + "::text as " + TableMapping.quoted("key_" + key.target()))
                    .collect(Collectors.joining(", "))
                    + ", " + table.checksum(name) + " from " + tableName
                    + (conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions))
                    + " order by " + keys + (limited ? " limit " + chunkSize : "");
        }

        private List<RowSum> read(Connection connection, String sql, List<String> after, List<String> upTo)
                throws SQLException {
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                List<String> bounds = new ArrayList<>();
                if (after != null) {
                    bounds.addAll(after);
                }
                if (upTo != null) {
                    bounds.addAll(upTo);
                }
                for (int i = 0; i < bounds.size(); i++) {
                    select.setString(i + 1, bounds.get(i));
                }
                List<RowSum> rows = new ArrayList<>();
                int keyCount = table.keys().size();
                try (ResultSet result = select.executeQuery()) {
                    while (result.next()) {
                        List<String> key = new ArrayList<>(keyCount);
                        for (int i = 1; i <= keyCount; i++) {
                            key.add(result.getString(i));
                        }
                        rows.add(new RowSum(List.copyOf(key), result.getString(keyCount + 1)));
                    }
                }
                return rows;
            }
        }
    }
}
