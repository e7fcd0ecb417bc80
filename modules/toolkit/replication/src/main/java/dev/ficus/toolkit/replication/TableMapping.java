package dev.ficus.toolkit.replication;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeEvent;
import dev.ficus.toolkit.replication.ReplicationProperties.OnError;

/**
 * A replicated table as both databases have it: which source column feeds which target column,
 * and the statements that write a row into the target. Values travel as text, written the way
 * PostgreSQL reads them back exactly, and PostgreSQL parses each into its target column's type.
 *
 * @param source  {@code schema.table} in the source database
 * @param target  {@code schema.table} in this database
 * @param columns the replicated columns, in the target's order
 * @param keys    the target's primary key columns
 * @param version the column that grows with each change of a row, if any
 * @param onError what a change the target rejects does to the stream
 * @param gone    source columns that fed a target column before and are gone from the source now
 *                (renamed or dropped): until the mapping says where their values went, no change
 *                of this table is applied
 */
record TableMapping(String source, String target, List<Column> columns, List<Column> keys, Column version,
        OnError onError, List<String> gone) {

    /**
     * @param source     the column's name in the source
     * @param target     its name in the target
     * @param targetType the target column's type, without modifiers ({@code numeric}, {@code uuid})
     * @param sourceType the source column's type, without modifiers
     */
    record Column(String source, String target, String targetType, String sourceType) {

        /** The target column's name, quoted for SQL. */
        String targetName() {
            return quoted(target);
        }

        /** The source column's name, quoted for SQL. */
        String sourceName() {
            return quoted(source);
        }

        String targetParameter() {
            return "cast(? as " + castable(targetType) + ")";
        }

        String sourceParameter() {
            return "cast(? as " + castable(sourceType) + ")";
        }
    }

    /** An identifier as SQL writes it whatever its case or spelling: {@code "createdAt"}, {@code "order"}. */
    static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * The type to cast a text value to. A type without its modifiers is the whole type, except
     * that {@code character} and {@code bit} alone mean length 1 (a cast would cut the value):
     * their unbounded forms are used, and the column's own length applies when the value is stored.
     */
    private static String castable(String type) {
        return switch (type) {
            case "character" -> "bpchar";
            case "character[]" -> "bpchar[]";
            case "bit" -> "varbit";
            case "bit[]" -> "varbit[]";
            default -> type;
        };
    }

    static TableMapping resolve(ReplicationProperties.Table table, JdbcClient source, JdbcClient target,
            String schema, String replication) {
        Map<String, String> sourceColumns = columnTypes(source, table.source());
        Map<String, String> targetColumns = columnTypes(target, table.targetTable());
        if (sourceColumns.isEmpty()) {
            throw new IllegalStateException("The source database has no table " + table.source());
        }
        if (targetColumns.isEmpty()) {
            throw new IllegalStateException("This database has no table " + table.targetTable());
        }
        table.columns().forEach((from, to) -> {
            if (!targetColumns.containsKey(to)) {
                throw new IllegalStateException("Cannot map " + table.source() + "." + from + " to "
                        + table.targetTable() + "." + to + ": this database has no such column");
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
        List<String> gone = MappingHistory.goneSourceColumns(target, schema, replication, table.targetTable(),
                columns, sourceColumns.keySet(), targetColumns.keySet());
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
        return new TableMapping(table.source(), table.targetTable(), List.copyOf(columns), keys, version,
                table.onError(), gone);
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

    /** Why no change of this table can be applied, if source columns it was fed by are gone. */
    Optional<String> schemaProblem() {
        if (gone.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(source + ": source column(s) " + gone + " fed " + target + " and are gone from the source "
                + "(renamed or dropped); map their new names in the replication's columns (or drop the target "
                + "columns), restart, then replay the dead letters");
    }

    /**
     * Refuses a change that cannot be applied as it is: its table's mapping lost a source column,
     * or its row lacks a mapped column (renamed or dropped at the source since the mapping was
     * made), or carries a value the source did not send. Writing such a row would put nulls or
     * placeholders over data.
     */
    void check(ChangeEvent change) {
        schemaProblem().ifPresent(problem -> {
            throw new SourceSchemaChanged(problem);
        });
        if (change.operation() == ChangeEvent.Operation.TRUNCATE) {
            return;
        }
        Map<String, Object> row = change.after() != null ? change.after() : change.before();
        List<Column> needed = change.after() != null ? columns : keys;
        for (Column column : needed) {
            if (!row.containsKey(column.source())) {
                throw new SourceSchemaChanged(source + "." + column.source() + " is missing from a change at "
                        + change.position() + " (renamed or dropped at the source?): it feeds " + target + "."
                        + column.target() + "; map its new name in the replication's columns (or drop the target "
                        + "column), restart, then replay the dead letters");
            }
            if (column.sourceType().equals("bit varying") && row.get(column.source()) != null) {
                throw new ValueNotSent(source + "." + column.source() + " is a bit varying: logical decoding does not "
                        + "send such a value's length, so its leading zeros are lost; use bit(n), or text");
            }
            if (ChangeEvent.unavailable(row.get(column.source()))) {
                throw new ValueNotSent(source + "." + column.source() + " was not sent with the change at "
                        + change.position() + " (an unchanged TOASTed value): give " + source
                        + " REPLICA IDENTITY FULL");
            }
        }
    }

    /**
     * Inserts a row or overwrites it; with a version column only a newer row overwrites, and
     * anything else is left for {@link ReplicationApplier} to tell a late redelivery from a
     * conflict.
     */
    String upsert() {
        return upsert(true, false);
    }

    /** Inserts a row or overwrites it, whatever the stored row's version: for repairs and conflicts the source wins. */
    String overwrite() {
        return upsert(false, false);
    }

    /** Inserts a row unless one with its key is there by now: for repairs of missing rows. */
    String insertIfAbsent() {
        return upsert(false, true);
    }

    private String upsert(boolean guarded, boolean keepExisting) {
        String names = columns.stream().map(Column::targetName).collect(Collectors.joining(", "));
        String values = columns.stream().map(Column::targetParameter).collect(Collectors.joining(", "));
        String keyNames = keys.stream().map(Column::targetName).collect(Collectors.joining(", "));
        List<Column> updated = columns.stream().filter(column -> !keys.contains(column)).toList();
        String sql = "insert into " + target + " as stored (" + names + ") values (" + values + ") on conflict ("
                + keyNames + ") do ";
        if (updated.isEmpty() || keepExisting) {
            return sql + "nothing";
        }
        sql += "update set " + updated.stream().map(column -> column.targetName() + " = excluded." + column.targetName())
                .collect(Collectors.joining(", "));
        if (guarded && version != null) {
            // A version that is not there cannot be ordered: then the incoming row is taken.
            String stored = "stored." + version.targetName();
            String incoming = "excluded." + version.targetName();
            sql += " where " + stored + " is null or " + incoming + " is null or " + stored + " < " + incoming;
        }
        return sql;
    }

    String delete() {
        return "delete from " + target + " where " + keyCondition(Column::targetName, Column::targetParameter);
    }

    String truncate() {
        return "delete from " + target;
    }

    /** Reads one row of the source by key, as text in target column order. */
    String selectSourceRow() {
        return "select " + columns.stream().map(column -> column.sourceName() + "::text")
                .collect(Collectors.joining(", "))
                + " from " + source + " where " + keyCondition(Column::sourceName, Column::sourceParameter);
    }

    /** The checksum of one source row, as reconciliation computes it. */
    String sourceChecksum() {
        return "select " + checksum(Column::sourceName) + " from " + source + " where "
                + keyCondition(Column::sourceName, Column::sourceParameter);
    }

    /** The checksum of one row here, as reconciliation computes it. */
    String targetChecksum() {
        return "select " + checksum(Column::targetName) + " from " + target + " where "
                + keyCondition(Column::targetName, Column::targetParameter);
    }

    /**
     * A row reduced to one text: PostgreSQL's rendering of its replicated columns. A
     * {@code timetz} is compared in UTC: logical decoding sends it in UTC, so a copy keeps the
     * time of day but not the original offset.
     */
    String checksum(Function<Column, String> name) {
        return "md5(row(" + columns.stream().map(column -> rendered(name.apply(column), column.targetType()))
                .collect(Collectors.joining(", ")) + ")::text)";
    }

    private static String rendered(String expression, String type) {
        return type.equals("time with time zone") ? "(" + expression + " at time zone 'UTC')::text" : expression + "::text";
    }

    /**
     * Whether the stored row has an incoming row's version, and whether it has its contents (as
     * PostgreSQL renders them once stored). Parameters: the version, every value, the key.
     */
    String compareWithStored() {
        return "select " + version.targetName() + " is not distinct from " + version.targetParameter() + ", "
                + checksum(Column::targetName) + " = md5(row(" + columns.stream()
                .map(column -> rendered(column.targetParameter(), column.targetType()))
                .collect(Collectors.joining(", ")) + ")::text) from " + target + " where "
                + keyCondition(Column::targetName, Column::targetParameter);
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
            Object value = row.get(column.source());
            // Debezium sends a bit(1) as a boolean.
            values[i] = value instanceof Boolean bit && column.targetType().startsWith("bit")
                    ? (bit ? "1" : "0") : text(value);
        }
        return values;
    }

    /** A source row's key as the delete's parameters. */
    Object[] keyValues(Map<String, Object> row) {
        return keys.stream().map(key -> text(row.get(key.source()))).toArray();
    }

    /** A source row's version, as text. */
    String versionOf(Map<String, Object> row) {
        return text(row.get(version.source()));
    }

    /**
     * A value as PostgreSQL's text input for it, exactly: change events carry each value as the
     * Java type that holds it (see the change stream), and each is written back in a form
     * PostgreSQL parses to the same value.
     */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        if (value instanceof byte[] bytes) {
            return "\\x" + HexFormat.of().formatHex(bytes);
        }
        if (value instanceof LocalDate date) {
            return date(date.getYear(), date.toString());
        }
        if (value instanceof LocalDateTime timestamp) {
            return date(timestamp.getYear(), timestamp.toString());
        }
        if (value instanceof Instant instant) {
            return moment(instant);
        }
        if (value instanceof List<?> elements) {
            return array(elements);
        }
        return value.toString();
    }

    /**
     * ISO dates as PostgreSQL reads them: years past 9999 without the plus sign, and years before 1
     * as the era they are in ({@code 0044-03-15 BC} for Java's {@code -0043-03-15}).
     */
    private static String date(int year, String iso) {
        if (year > 9999) {
            return iso.substring(1);
        }
        if (year < 1) {
            String withoutYear = iso.substring(iso.indexOf('-', 1));
            return "%04d%s BC".formatted(1 - year, withoutYear);
        }
        return iso;
    }

    /** A timestamptz in UTC, as PostgreSQL reads it for any year. */
    private static String moment(Instant instant) {
        LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        String text = date(utc.getYear(), utc.toString());
        return text.endsWith(" BC") ? text.substring(0, text.length() - 3) + "+00 BC" : text + "+00";
    }

    /** PostgreSQL's array literal: {@code {"a b","c\"d",NULL}}, nested for more dimensions. */
    private static String array(List<?> elements) {
        StringBuilder literal = new StringBuilder("{");
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                literal.append(',');
            }
            Object element = elements.get(i);
            if (element == null) {
                literal.append("NULL");
            }
            else if (element instanceof List<?> nested) {
                literal.append(array(nested));
            }
            else {
                literal.append('"').append(text(element).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return literal.append('}').toString();
    }
}
