package dev.ficus.toolkit.cdc;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import dev.ficus.toolkit.cdc.ChangeEvent.Operation;

/** Reads Debezium's change records into {@link ChangeEvent}s. */
final class ChangeEvents {

    private ChangeEvents() {
    }

    /** The change a record describes; empty for heartbeats, tombstones and other non-row records. */
    static Optional<ChangeEvent> from(SourceRecord record) {
        if (!(record.value() instanceof Struct envelope)
                || envelope.schema().field("op") == null || envelope.schema().field("source") == null) {
            return Optional.empty();
        }
        Operation operation = switch (envelope.getString("op")) {
            case "c" -> Operation.INSERT;
            case "u" -> Operation.UPDATE;
            case "d" -> Operation.DELETE;
            case "t" -> Operation.TRUNCATE;
            case "r" -> Operation.SNAPSHOT;
            default -> null;
        };
        if (operation == null) {
            return Optional.empty();
        }
        Struct source = envelope.getStruct("source");
        String table = source.getString("schema") + "." + source.getString("table");
        Long lsn = source.getInt64("lsn");
        Long transaction = source.getInt64("txId");
        return Optional.of(new ChangeEvent(table, operation,
                record.key() instanceof Struct key ? toMap(key) : Map.of(),
                toMap(envelope.getStruct("before")),
                toMap(envelope.getStruct("after")),
                lsn == null ? 0 : lsn,
                transaction == null ? 0 : transaction,
                commitTime(source)));
    }

    private static Instant commitTime(Struct source) {
        Long micros = source.schema().field("ts_us") == null ? null : source.getInt64("ts_us");
        if (micros != null) {
            return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
        }
        return Instant.ofEpochMilli(source.getInt64("ts_ms"));
    }

    private static Map<String, Object> toMap(Struct struct) {
        if (struct == null) {
            return null;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (Field field : struct.schema().fields()) {
            Object value = struct.get(field);
            row.put(field.name(), value instanceof Struct nested ? toMap(nested) : value);
        }
        return row;
    }
}
