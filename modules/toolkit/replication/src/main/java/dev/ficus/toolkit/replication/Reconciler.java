package dev.ficus.toolkit.replication;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import dev.ficus.toolkit.cdc.PostgresDatabase;
import dev.ficus.toolkit.replication.ReconciliationReport.TableReport;
import dev.ficus.toolkit.replication.TableMapping.Column;

/**
 * Compares the source's rows with this database's, a chunk of keys at a time: both sides are read
 * in key order, {@code chunkSize} source rows per query with the target rows of the same key range,
 * and each row is reduced to a checksum of its replicated columns rendered as text by PostgreSQL.
 * Memory holds one chunk, never a table.
 */
final class Reconciler {

    static final int REPORTED_KEYS = 100;

    private final List<TableMapping> tables;
    private final PostgresDatabase source;
    private final DataSource target;
    private final MarkedWrites writes;
    private final int chunkSize;

    Reconciler(List<TableMapping> tables, PostgresDatabase source, DataSource target, MarkedWrites writes,
            int chunkSize) {
        this.tables = tables;
        this.source = source;
        this.target = target;
        this.writes = writes;
        this.chunkSize = chunkSize;
    }

    ReconciliationReport reconcile(boolean repair) {
        Instant started = Instant.now();
        List<TableReport> reports = new ArrayList<>();
        for (TableMapping table : tables) {
            try (Connection sourceConnection = connectToSource();
                 Connection targetConnection = target.getConnection()) {
                reports.add(new TableComparison(table, sourceConnection, targetConnection, repair).run());
            }
            catch (SQLException e) {
                throw new IllegalStateException("Could not reconcile " + table.target(), e);
            }
        }
        return new ReconciliationReport(started, Duration.between(started, Instant.now()), repair, reports);
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
        try (Connection sourceConnection = connectToSource()) {
            return repair(sourceConnection, table, keyValues);
        }
        catch (SQLException e) {
            throw new IllegalStateException("Could not connect to the source of " + tableName, e);
        }
    }

    private Connection connectToSource() throws SQLException {
        return DriverManager.getConnection(source.jdbcUrl(), source.user(), source.password());
    }

    private RepairResult repair(Connection sourceConnection, TableMapping table, List<String> key) {
        Object[] sourceRow = readSourceRow(sourceConnection, table, key);
        if (sourceRow != null) {
            writes.run(jdbc -> jdbc.update(table.overwrite(), sourceRow));
            return RepairResult.COPIED;
        }
        boolean[] deleted = new boolean[1];
        writes.run(jdbc -> deleted[0] = jdbc.update(table.delete(), key.toArray()) > 0);
        if (!deleted[0]) {
            throw new RowNotFound(table.target(), keyMap(table, key));
        }
        return RepairResult.DELETED;
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
        private long repaired;
        private final List<Map<String, String>> mismatchedKeys = new ArrayList<>();

        TableComparison(TableMapping table, Connection sourceConnection, Connection targetConnection, boolean repair) {
            this.table = table;
            this.sourceConnection = sourceConnection;
            this.targetConnection = targetConnection;
            this.repair = repair;
        }

        TableReport run() throws SQLException {
            // Timestamps with a time zone render in the session's zone: make both sides render alike.
            for (Connection connection : List.of(sourceConnection, targetConnection)) {
                try (var statement = connection.createStatement()) {
                    statement.execute("set time zone 'UTC'");
                }
            }
            try {
                compare();
            }
            finally {
                try (var statement = targetConnection.createStatement()) {
                    statement.execute("reset time zone");
                }
            }
            return new TableReport(table.target(), table.source(), sourceRows, targetRows, missing, unexpected,
                    different, repaired, List.copyOf(mismatchedKeys));
        }

        private void compare() throws SQLException {
            List<String> after = null;
            while (true) {
                List<RowSum> sourceChunk = read(sourceConnection, sums(table.source(), Column::source,
                        Column::sourceParameter, after != null, false, true), after, null);
                sourceRows += sourceChunk.size();
                if (sourceChunk.isEmpty()) {
                    break;
                }
                List<String> last = sourceChunk.getLast().key();
                List<RowSum> targetChunk = read(targetConnection, sums(table.target(), Column::target,
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
                List<RowSum> rest = read(targetConnection, sums(table.target(), Column::target,
                        Column::targetParameter, after != null, false, true), after, null);
                targetRows += rest.size();
                rest.forEach(row -> mismatch(row.key(), Mismatch.UNEXPECTED));
                if (rest.size() < chunkSize) {
                    break;
                }
                after = rest.getLast().key();
            }
        }

        private void match(List<RowSum> sourceChunk, List<RowSum> targetChunk) {
            Map<List<String>, String> here = new HashMap<>();
            targetChunk.forEach(row -> here.put(row.key(), row.checksum()));
            for (RowSum row : sourceChunk) {
                String checksum = here.remove(row.key());
                if (checksum == null) {
                    mismatch(row.key(), Mismatch.MISSING);
                }
                else if (!checksum.equals(row.checksum())) {
                    mismatch(row.key(), Mismatch.DIFFERENT);
                }
            }
            targetChunk.stream().filter(row -> here.containsKey(row.key()))
                    .forEach(row -> mismatch(row.key(), Mismatch.UNEXPECTED));
        }

        private void mismatch(List<String> key, Mismatch kind) {
            switch (kind) {
                case MISSING -> missing++;
                case UNEXPECTED -> unexpected++;
                case DIFFERENT -> different++;
            }
            if (mismatchedKeys.size() < REPORTED_KEYS) {
                mismatchedKeys.add(keyMap(table, key));
            }
            if (repair) {
                // On the comparison's own connection: one per table, not one per row.
                Reconciler.this.repair(sourceConnection, table, key);
                repaired++;
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
            String rendered = table.columns().stream().map(column -> name.apply(column) + "::text")
                    .collect(Collectors.joining(", "));
            List<String> conditions = new ArrayList<>();
            if (hasLowerBound) {
                conditions.add("(" + keys + ") > (" + parameters + ")");
            }
            if (hasUpperBound) {
                conditions.add("(" + keys + ") <= (" + parameters + ")");
            }
            // Aliased: a bare column name in ORDER BY would otherwise sort by the text output column.
            return "select " + table.keys().stream().map(key -> name.apply(key) + "::text as key_" + key.target())
                    .collect(Collectors.joining(", "))
                    + ", md5(row(" + rendered + ")::text) from " + tableName
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

    private enum Mismatch { MISSING, UNEXPECTED, DIFFERENT }
}
