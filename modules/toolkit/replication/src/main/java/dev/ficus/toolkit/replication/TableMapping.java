package dev.ficus.toolkit.replication;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A replicated table as both databases have it: which source column feeds which target column,
 * and the statements that write a row into the target. Values travel as text and PostgreSQL
 * parses each into its target column's type.
 *
 * @param source  {@code schema.table} in the source database
 * @param target  {@code schema.table} in this database
 * @param columns the replicated columns, in the target's order
 * @param keys    the target's primary key columns
 * @param version the column that grows with each change of a row, if any
 */
record TableMapping(String source, String target, List<Column> columns, List<Column> keys, Column version) {

    /**
     * @param source     the column's name in the source
     * @param target     its name in the target
     * @param targetType the target column's type, without modifiers ({@code numeric}, {@code uuid})
     * @param sourceType the source column's type, without modifiers
     */
    record Column(String source, String target, String targetType, String sourceType) {

        String targetParameter() {
            return "cast(? as " + targetType + ")";
        }

        String sourceParameter() {
            return "cast(? as " + sourceType + ")";
        }
    }

    static TableMapping resolve(ReplicationProperties.Table table, JdbcClient source, JdbcClient target) {
        Map<String, String> sourceColumns = columnTypes(source, table.source());
        Map<String, String> targetColumns = columnTypes(target, table.targetTable());
        if (sourceColumns.isEmpty()) {
            throw new IllegalStateException("The source database has no table " + table.source());
        }
        if (targetColumns.isEmpty()) {
            throw new IllegalStateException("This database has no table " + table.targetTable());
        }
        table.columns().forEach((from, to) -> {
            if (!sourceColumns.containsKey(from) || !targetColumns.containsKey(to)) {
                throw new IllegalStateException("Cannot map " + table.source() + "." + from + " to "
                        + table.targetTable() + "." + to + ": no such column");
            }
        });
        Map<String, String> sourceOf = new LinkedHashMap<>();
        sourceColumns.keySet().forEach(column -> sourceOf.put(table.columns().getOrDefault(column, column), column));
        List<Column> columns = new ArrayList<>();
        targetColumns.forEach((name, type) -> {
            if (sourceOf.containsKey(name)) {
                String from = sourceOf.get(name);
                columns.add(new Column(from, name, type, sourceColumns.get(from)));
            }
        });
        List<Column> keys = primaryKey(target, table.targetTable()).stream()
                .map(key -> columns.stream().filter(column -> column.target().equals(key)).findFirst()
                        .orElseThrow(() -> new IllegalStateException("Key column " + table.targetTable() + "." + key
                                + " is not fed by any column of " + table.source())))
                .toList();
        if (keys.isEmpty()) {
            throw new IllegalStateException(table.targetTable() + " needs a primary key to be replicated into");
        }
        Column version = null;
        if (!table.versionColumn().isEmpty()) {
            version = columns.stream().filter(column -> column.target().equals(table.versionColumn())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("Version column " + table.versionColumn()
                            + " is not a replicated column of " + table.targetTable()));
        }
        return new TableMapping(table.source(), table.targetTable(), List.copyOf(columns), keys, version);
    }

    private static Map<String, String> columnTypes(JdbcClient jdbc, String table) {
        Map<String, String> types = new LinkedHashMap<>();
        jdbc.sql("""
                select a.attname, format_type(a.atttypid, null)
                from pg_attribute a
                join pg_class c on c.oid = a.attrelid
                join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = ? and c.relname = ? and a.attnum > 0 and not a.attisdropped
                order by a.attnum""")
                .params(schemaOf(table), nameOf(table))
                .query(rows -> {
                    types.put(rows.getString(1), rows.getString(2));
                });
        return types;
    }

    private static List<String> primaryKey(JdbcClient jdbc, String table) {
        return jdbc.sql("""
                select a.attname
                from pg_index i
                join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                where i.indrelid = cast(? as regclass) and i.indisprimary
                order by array_position(i.indkey, a.attnum)""")
                .param(table)
                .query(String.class)
                .list();
    }

    private static String schemaOf(String table) {
        return table.substring(0, table.indexOf('.'));
    }

    private static String nameOf(String table) {
        return table.substring(table.indexOf('.') + 1);
    }

    /** Inserts a row or overwrites it, unless (with a version column) the stored row is newer. */
    String upsert() {
        return upsert(true);
    }

    /** Inserts a row or overwrites it, whatever the stored row's version: for repairs. */
    String overwrite() {
        return upsert(false);
    }

    private String upsert(boolean guarded) {
        String names = columns.stream().map(Column::target).collect(Collectors.joining(", "));
        String values = columns.stream().map(Column::targetParameter).collect(Collectors.joining(", "));
        String keyNames = keys.stream().map(Column::target).collect(Collectors.joining(", "));
        List<Column> updated = columns.stream().filter(column -> !keys.contains(column)).toList();
        String sql = "insert into " + target + " as stored (" + names + ") values (" + values + ") on conflict ("
                + keyNames + ") do ";
        if (updated.isEmpty()) {
            return sql + "nothing";
        }
        sql += "update set " + updated.stream().map(column -> column.target() + " = excluded." + column.target())
                .collect(Collectors.joining(", "));
        if (guarded && version != null) {
            sql += " where stored." + version.target() + " <= excluded." + version.target();
        }
        return sql;
    }

    String delete() {
        return "delete from " + target + " where " + keyCondition(Column::target, Column::targetParameter);
    }

    String truncate() {
        return "delete from " + target;
    }

    /** Reads one row of the source by key, as text in target column order. */
    String selectSourceRow() {
        return "select " + columns.stream().map(column -> column.source() + "::text").collect(Collectors.joining(", "))
                + " from " + source + " where " + keyCondition(Column::source, Column::sourceParameter);
    }

    String selectTargetKey() {
        return "select 1 from " + target + " where " + keyCondition(Column::target, Column::targetParameter);
    }

    private String keyCondition(Function<Column, String> name, Function<Column, String> parameter) {
        return keys.stream().map(key -> name.apply(key) + " = " + parameter.apply(key))
                .collect(Collectors.joining(" and "));
    }

    /** A source row's values as the upsert's parameters. */
    Object[] values(Map<String, Object> row) {
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < values.length; i++) {
            Column column = columns.get(i);
            values[i] = text(row.get(column.source()), column.targetType());
        }
        return values;
    }

    /** A source row's key as the delete's parameters. */
    Object[] keyValues(Map<String, Object> row) {
        return keys.stream().map(key -> text(row.get(key.source()), key.targetType())).toArray();
    }

    /**
     * Change events carry most values as PostgreSQL writes them; the temporal types without a time
     * zone come as numbers since the epoch (days, microseconds), and binary data as bytes.
     */
    static String text(Object value, String type) {
        if (value == null) {
            return null;
        }
        return switch (value) {
            case BigDecimal decimal -> decimal.toPlainString();
            case byte[] bytes -> "\\x" + HexFormat.of().formatHex(bytes);
            case ByteBuffer buffer -> {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.duplicate().get(bytes);
                yield "\\x" + HexFormat.of().formatHex(bytes);
            }
            case Integer days when type.equals("date") -> LocalDate.ofEpochDay(days).toString();
            case Long micros when type.startsWith("timestamp without") ->
                    LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                            (int) Math.floorMod(micros, 1_000_000) * 1_000, ZoneOffset.UTC).toString();
            case Long micros when type.startsWith("time without") ->
                    LocalTime.ofNanoOfDay(micros * 1_000).toString();
            default -> value.toString();
        };
    }
}
