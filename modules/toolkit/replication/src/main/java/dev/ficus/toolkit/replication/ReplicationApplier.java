package dev.ficus.toolkit.replication;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import dev.ficus.toolkit.cdc.ChangeEvent;
import dev.ficus.toolkit.cdc.ChangeEvent.Operation;
import dev.ficus.toolkit.cdc.ChangeHandler;
import dev.ficus.toolkit.replication.ReplicationProperties.OnError;

/**
 * Applies each batch of source changes to this database in one transaction, in the order they
 * were committed, and marks that transaction as written by replication.
 *
 * <p>A batch always ends where a source transaction ends, however many rows it has, so readers
 * here never see part of one. Changes are written as they come, a JDBC batch at a time, into a
 * transaction that commits at the end of the batch: memory holds at most {@value #FLUSH_EVERY}
 * changes, not a transaction.
 *
 * <p>The mark is what keeps a two-way sync from looping: each transaction this applier commits
 * first bumps its row in {@code <schema>.applied_batches}, and a replication reading this
 * database in the other direction skips every transaction that touched that table.
 *
 * <p>With a version column, an incoming row overwrites only an older one. An incoming row of the
 * same version with other contents is a conflict: both sides changed the row. It is recorded
 * ({@code <schema>.conflicts}, metric {@code ficus.replication.conflicts}), and the side that owns
 * writes keeps its row: the source while this side is a read copy, this side once writes moved.
 *
 * <p>What the target rejects is the stream's to deal with ({@link #onFailure}): a lost connection
 * halts the stream until the target is back; a rejected row is dead-lettered (or halts, per table),
 * and the rest of its batch is applied without it.
 */
class ReplicationApplier implements ChangeHandler {

    static final int FLUSH_EVERY = 1_000;

    private static final Logger log = LoggerFactory.getLogger(ReplicationApplier.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String name;
    private final Map<String, TableMapping> tablesBySource;
    private final String marks;
    private final String conflicts;
    private final MarkedWrites writes;
    private final DataSource dataSource;
    private final Supplier<ExtractionPhase> phase;
    private final MeterRegistry meters;
    private final Timer lag;
    private final Counter echoes;
    private final Map<String, String> schemaProblems = new ConcurrentHashMap<>();

    private final List<ChangeEvent> pending = new ArrayList<>();
    /** Of the changes written in the open transaction: their commit times, and how many per table and operation. */
    private final List<Instant> writtenCommits = new ArrayList<>();
    private final Map<List<String>, Integer> writtenCounts = new LinkedHashMap<>();
    private Connection open;
    /** The term of the stream's run this applier writes for: see {@link MarkedWrites}. */
    private volatile String term;
    private Exception broken;
    private long echoTransaction = -1;

    ReplicationApplier(ReplicationProperties properties, List<TableMapping> tables, MarkedWrites writes,
            DataSource dataSource, Supplier<ExtractionPhase> phase, MeterRegistry meters) {
        this.name = properties.name();
        this.tablesBySource = tables.stream().collect(Collectors.toMap(TableMapping::source, table -> table));
        this.marks = ReplicationTables.marks(properties.schema());
        this.conflicts = ReplicationTables.conflicts(properties.schema());
        this.writes = writes;
        this.dataSource = dataSource;
        this.phase = phase;
        this.meters = meters;
        this.lag = Timer.builder("ficus.replication.lag")
                .description("From a change's commit in the source until it is committed here")
                .tag("replication", name)
                .publishPercentileHistogram()
                .register(meters);
        this.echoes = Counter.builder("ficus.replication.echoes")
                .description("Source changes skipped because replication wrote them: the other direction's own")
                .tag("replication", name)
                .register(meters);
        tables.forEach(table -> table.schemaProblem().ifPresent(problem -> {
            schemaProblems.put(table.source(), problem);
            log.error("Replication {}: {}", name, problem);
        }));
    }

    /** The tables to stream: the replicated ones, and the source's marks of the other direction. */
    Set<String> capturedTables() {
        Set<String> tables = new TreeSet<>(tablesBySource.keySet());
        tables.add(marks);
        return tables;
    }

    /** Source tables whose changes wait because their columns changed at the source, and why. */
    Map<String, String> schemaProblems() {
        return Map.copyOf(schemaProblems);
    }

    /**
     * A change of a transaction that bumped the other direction's mark was written by replication:
     * it is this side's own change coming back, and is neither applied nor held behind anything.
     * (The mark comes first in such a transaction: it is the transaction's first statement.)
     */
    @Override
    public boolean skips(ChangeEvent change) {
        if (change.table().equals(marks)) {
            echoTransaction = change.transaction();
            return true;
        }
        if (change.transaction() == echoTransaction && change.operation() != Operation.SNAPSHOT) {
            echoes.increment();
            return true;
        }
        return false;
    }

    @Override
    public void handle(ChangeEvent change) {
        try {
            tablesBySource.get(change.table()).check(change);
        }
        catch (SourceSchemaChanged e) {
            schemaProblems.put(change.table(), e.getMessage());
            throw e;
        }
        if (broken != null) {
            return;
        }
        pending.add(change);
        if (pending.size() >= FLUSH_EVERY) {
            try {
                flush();
            }
            catch (Exception e) {
                // The transaction is lost; endOfBatch reports it and the stream takes the batch apart.
                broken = e;
                rollback();
            }
        }
    }

    @Override
    public void endOfBatch() throws Exception {
        try {
            if (broken != null) {
                throw broken;
            }
            flush();
            if (open != null) {
                open.commit();
                recordApplied();
            }
        }
        catch (Exception e) {
            rollback();
            throw e;
        }
        finally {
            pending.clear();
            writtenCommits.clear();
            writtenCounts.clear();
            broken = null;
            close();
        }
    }

    @Override
    public void abandonBatch() {
        rollback();
        broken = null;
    }

    /** Claims the run's term here: from now on, transactions of earlier runs are refused. */
    @Override
    public void leading(String term) {
        writes.claim(term);
        this.term = term;
    }

    @Override
    public Failure onFailure(ChangeEvent change, Exception error) {
        if (TransientFailures.isTransient(error) || error instanceof MarkedWrites.TermTakenOver) {
            return Failure.HALT;
        }
        if (error instanceof SourceSchemaChanged) {
            return Failure.DEAD_LETTER_TABLE;
        }
        if (change != null && tablesBySource.containsKey(change.table())
                && tablesBySource.get(change.table()).onError() == OnError.HALT) {
            return Failure.HALT;
        }
        return Failure.DEAD_LETTER;
    }

    private void flush() throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        if (open == null) {
            open = dataSource.getConnection();
            open.setAutoCommit(false);
            writes.mark(open);
            writes.requireTerm(open, term);
        }
        applyInOrder(open, pending);
        for (ChangeEvent change : pending) {
            writtenCommits.add(change.committedAt());
            writtenCounts.merge(List.of(change.table(), change.operation().name()), 1, Integer::sum);
        }
        pending.clear();
    }

    /** Consecutive changes of the same kind to the same table go in one JDBC batch. */
    private void applyInOrder(Connection connection, List<ChangeEvent> changes) throws SQLException {
        int start = 0;
        while (start < changes.size()) {
            ChangeEvent first = changes.get(start);
            TableMapping table = tablesBySource.get(first.table());
            String sql = statement(table, first.operation());
            int end = start;
            while (end < changes.size() && changes.get(end).table().equals(first.table())
                    && Objects.equals(statement(table, changes.get(end).operation()), sql)) {
                end++;
            }
            List<ChangeEvent> group = changes.subList(start, end);
            if (first.operation() == Operation.TRUNCATE) {
                try (var truncate = connection.createStatement()) {
                    truncate.executeUpdate(sql);
                }
            }
            else {
                int[] counts;
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    for (ChangeEvent change : group) {
                        bind(statement, change.operation() == Operation.DELETE ? table.keyValues(change.before())
                                : table.values(change.after()));
                        statement.addBatch();
                    }
                    counts = statement.executeBatch();
                }
                if (table.version() != null && first.operation() != Operation.DELETE) {
                    for (int i = 0; i < counts.length; i++) {
                        // A driver that rewrites batches cannot say which rows it wrote: look at each.
                        if (counts[i] == 0 || counts[i] == Statement.SUCCESS_NO_INFO) {
                            notNewer(connection, table, group.get(i));
                        }
                    }
                }
            }
            start = end;
        }
    }

    /**
     * An incoming row that did not overwrite the stored one: a redelivery (same version, same
     * contents), an older row (the stored one is newer), or a conflict (same version, other contents).
     */
    private void notNewer(Connection connection, TableMapping table, ChangeEvent change) throws SQLException {
        Object[] values = table.values(change.after());
        boolean sameVersion;
        boolean sameContents;
        try (PreparedStatement compare = connection.prepareStatement(table.compareWithStored())) {
            List<Object> parameters = new ArrayList<>();
            parameters.add(table.versionOf(change.after()));
            parameters.addAll(Arrays.asList(values));
            parameters.addAll(Arrays.asList(table.keyValues(change.after())));
            bind(compare, parameters.toArray());
            try (ResultSet stored = compare.executeQuery()) {
                if (!stored.next()) {
                    return;
                }
                sameVersion = stored.getBoolean(1);
                sameContents = stored.getBoolean(2);
            }
        }
        if (!sameVersion || sameContents) {
            return;
        }
        boolean sourceWins = phase.get() == ExtractionPhase.READ_COPY;
        if (sourceWins) {
            try (PreparedStatement overwrite = connection.prepareStatement(table.overwrite())) {
                bind(overwrite, values);
                overwrite.executeUpdate();
            }
        }
        try (PreparedStatement record = connection.prepareStatement("insert into " + conflicts
                + " (replication, table_name, row_key, version, incoming, kept, detected_at) "
                + "values (?, ?, cast(? as jsonb), ?, cast(? as jsonb), ?, ?)")) {
            bind(record, name, table.target(), json(table, change, true), table.versionOf(change.after()),
                    json(table, change, false), sourceWins ? "source" : "here");
            record.setTimestamp(7, Timestamp.from(Instant.now()));
            record.executeUpdate();
        }
        meters.counter("ficus.replication.conflicts", "replication", name, "table", table.target()).increment();
        log.warn("Replication {}: {} {} was changed on both sides to version {}; kept {} row, recorded the "
                        + "conflict in {}", name, table.target(), change.key(), table.versionOf(change.after()),
                sourceWins ? "the source's" : "this side's", conflicts);
    }

    private static String json(TableMapping table, ChangeEvent change, boolean keyOnly) {
        Map<String, String> row = new LinkedHashMap<>();
        for (TableMapping.Column column : keyOnly ? table.keys() : table.columns()) {
            row.put(column.target(), TableMapping.text(change.after().get(column.source())));
        }
        return JSON.writeValueAsString(row);
    }

    private static void bind(PreparedStatement statement, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                statement.setNull(i + 1, Types.VARCHAR);
            }
            else {
                statement.setString(i + 1, values[i].toString());
            }
        }
    }

    private void recordApplied() {
        Instant applied = Instant.now();
        writtenCommits.forEach(committed -> lag.record(Duration.between(committed, applied)));
        writtenCounts.forEach((tableAndOperation, count) -> meters.counter("ficus.replication.applied",
                "replication", name, "table", tableAndOperation.get(0), "operation", tableAndOperation.get(1))
                .increment(count));
    }

    private void rollback() {
        if (open != null) {
            try {
                open.rollback();
            }
            catch (SQLException e) {
                log.debug("Could not roll back", e);
            }
            close();
        }
        pending.clear();
        writtenCommits.clear();
        writtenCounts.clear();
    }

    private void close() {
        Connection connection = open;
        open = null;
        if (connection != null) {
            try {
                connection.close();
            }
            catch (SQLException e) {
                log.debug("Could not close the connection", e);
            }
        }
    }

    private static String statement(TableMapping table, Operation operation) {
        return switch (operation) {
            case INSERT, UPDATE, SNAPSHOT -> table.upsert();
            case DELETE -> table.delete();
            case TRUNCATE -> table.truncate();
        };
    }
}
