package dev.ficus.toolkit.cdc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import dev.ficus.toolkit.cdc.ChangeEvent.Operation;

/**
 * Reads Debezium's change records into {@link ChangeEvent}s, with each column value as the Java
 * type that holds it exactly, whatever Debezium's wire encoding: {@code date} as
 * {@link LocalDate}, {@code time} as {@link LocalTime}, {@code timestamp} as
 * {@link LocalDateTime} (whether Debezium sent milliseconds or microseconds),
 * {@code timestamptz} as {@link Instant}, {@code timetz} as {@link OffsetTime}, any
 * {@code numeric} as {@link BigDecimal}, {@code bytea} as {@code byte[]}, arrays as
 * {@link List}s; text-like types (uuid, json, enums, inet, intervals) as strings.
 */
final class ChangeEvents {

    /** What Debezium puts in place of an unchanged TOASTed value it was not sent. */
    static final String UNAVAILABLE = "__debezium_unavailable_value";

    private static final String TRANSACTION_METADATA = "io.debezium.connector.common.TransactionMetadataValue";

    private ChangeEvents() {
    }

    /** Where a record stands in the stream's transactions. */
    enum Boundary {
        /** A transaction starts: records up to its end belong together. */
        BEGIN,
        /** The transaction ends. */
        END,
        /** Anything else: a change, a heartbeat. */
        NONE
    }

    static Boundary boundary(SourceRecord record) {
        if (record.value() instanceof Struct value && TRANSACTION_METADATA.equals(value.schema().name())) {
            return "END".equals(value.getString("status")) ? Boundary.END : Boundary.BEGIN;
        }
        return Boundary.NONE;
    }

    /** The commit time a record's position carries (PostgreSQL's clock), if any. */
    static Optional<Instant> committedAt(SourceRecord record) {
        Map<String, ?> offset = record.sourceOffset();
        if (offset != null && offset.get("ts_usec") instanceof Number micros) {
            return Optional.of(micros(micros.longValue()));
        }
        return Optional.empty();
    }

    /** The change a record describes; empty for heartbeats, transaction markers and other non-row records. */
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
        Map<String, Object> before = row(envelope.getStruct("before"));
        Map<String, Object> after = row(envelope.getStruct("after"));
        keepUnchangedToast(before, after);
        return Optional.of(new ChangeEvent(table, operation,
                record.key() instanceof Struct key ? row(key) : Map.of(),
                before,
                after,
                lsn == null ? 0 : lsn,
                transaction == null ? 0 : transaction,
                commitTime(source)));
    }

    /**
     * PostgreSQL does not send an unchanged TOASTed value with an update; with REPLICA IDENTITY
     * FULL the row before the change has it, and it is the same after.
     */
    private static void keepUnchangedToast(Map<String, Object> before, Map<String, Object> after) {
        if (before == null || after == null) {
            return;
        }
        after.replaceAll((column, value) -> unavailable(value) && before.containsKey(column)
                && !unavailable(before.get(column)) ? before.get(column) : value);
    }

    /** Whether a value is Debezium's stand-in for an unchanged TOASTed value it was not sent. */
    static boolean unavailable(Object value) {
        if (value instanceof String text) {
            return text.equals(UNAVAILABLE);
        }
        if (value instanceof byte[] bytes) {
            return bytes.length == UNAVAILABLE.length()
                    && new String(bytes, java.nio.charset.StandardCharsets.UTF_8).equals(UNAVAILABLE);
        }
        return value instanceof List<?> list && list.size() == 1 && unavailable(list.get(0));
    }

    private static Instant commitTime(Struct source) {
        Long micros = source.schema().field("ts_us") == null ? null : source.getInt64("ts_us");
        if (micros != null) {
            return micros(micros);
        }
        return Instant.ofEpochMilli(source.getInt64("ts_ms"));
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
    }

    private static Map<String, Object> row(Struct struct) {
        if (struct == null) {
            return null;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (Field field : struct.schema().fields()) {
            Object raw = struct.get(field);
            Object value;
            try {
                value = value(field.schema(), raw);
            }
            catch (RuntimeException outOfRange) {
                // PostgreSQL's 'infinity' and the like have no java.time value: passed on as Debezium sent them.
                value = raw;
            }
            row.put(field.name(), value);
        }
        return row;
    }

    /** A value as the Java type that holds it exactly, read from its Kafka Connect schema. */
    static Object value(Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        String name = schema.name() == null ? "" : schema.name();
        return switch (name) {
            case "io.debezium.time.Date" -> date(((Number) value).longValue());
            case "io.debezium.time.Time" -> LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000_000L);
            case "io.debezium.time.MicroTime" -> LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000L);
            case "io.debezium.time.NanoTime" -> LocalTime.ofNanoOfDay(((Number) value).longValue());
            case "io.debezium.time.Timestamp" -> timestamp(Math.multiplyExact(((Number) value).longValue(), 1_000L));
            case "io.debezium.time.MicroTimestamp" -> timestamp(((Number) value).longValue());
            case "io.debezium.time.NanoTimestamp" -> LocalDateTime.ofEpochSecond(
                    Math.floorDiv(((Number) value).longValue(), 1_000_000_000L),
                    (int) Math.floorMod(((Number) value).longValue(), 1_000_000_000L), ZoneOffset.UTC);
            case "io.debezium.time.ZonedTimestamp" -> OffsetDateTime.parse((String) value).toInstant();
            case "io.debezium.time.ZonedTime" -> OffsetTime.parse((String) value);
            case "io.debezium.data.VariableScaleDecimal" -> variableScale((Struct) value);
            case "io.debezium.data.Bits" -> bits(schema, value);
            default -> value instanceof ByteBuffer buffer ? bytes(buffer)
                    : value instanceof Struct nested ? row(nested)
                    : value instanceof List<?> list ? elements(schema.valueSchema(), list)
                    : value;
        };
    }

    /** Debezium sends PostgreSQL's 'infinity' and '-infinity' as these instants and days. */
    private static final long INFINITE_MICROS = 9_223_372_036_825_200_000L;
    private static final long MINUS_INFINITE_MICROS = -9_223_372_036_832_400_000L;
    private static final long INFINITE_DAY = LocalDate.parse("-5877611-06-21").toEpochDay();
    private static final long MINUS_INFINITE_DAY = LocalDate.parse("-5877611-06-22").toEpochDay();

    /** A date, or PostgreSQL's 'infinity' or '-infinity' as the text it reads. */
    private static Object date(long day) {
        return day == INFINITE_DAY ? "infinity" : day == MINUS_INFINITE_DAY ? "-infinity" : LocalDate.ofEpochDay(day);
    }

    /** A timestamp, or PostgreSQL's 'infinity' or '-infinity' as the text it reads. */
    private static Object timestamp(long micros) {
        return micros == INFINITE_MICROS ? "infinity" : micros == MINUS_INFINITE_MICROS ? "-infinity"
                : localDateTime(micros);
    }

    private static LocalDateTime localDateTime(long micros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1_000, ZoneOffset.UTC);
    }

    private static BigDecimal variableScale(Struct decimal) {
        Object unscaled = decimal.get("value");
        byte[] bytes = unscaled instanceof ByteBuffer buffer ? bytes(buffer) : (byte[]) unscaled;
        return new BigDecimal(new BigInteger(bytes), decimal.getInt32("scale"));
    }

    /**
     * A {@code bit(n)} value as PostgreSQL writes it ({@code 0101}): Debezium sends the bits
     * little-endian, and their number as the schema's {@code length}. (A {@code bit varying}
     * value's own length is not sent: its leading zeros cannot be told.)
     */
    private static String bits(Schema schema, Object value) {
        byte[] bytes = value instanceof ByteBuffer buffer ? bytes(buffer) : (byte[]) value;
        BitSet bits = BitSet.valueOf(bytes);
        String declared = schema.parameters() == null ? null : schema.parameters().get("length");
        int length = declared == null ? Integer.MAX_VALUE : Integer.parseInt(declared);
        if (length == Integer.MAX_VALUE) {
            length = Math.max(bits.length(), 1);
        }
        StringBuilder text = new StringBuilder(length);
        for (int i = length - 1; i >= 0; i--) {
            text.append(bits.get(i) ? '1' : '0');
        }
        return text.toString();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static List<Object> elements(Schema elementSchema, List<?> list) {
        List<Object> values = new ArrayList<>(list.size());
        for (Object element : list) {
            values.add(elementSchema == null ? element : value(elementSchema, element));
        }
        return values;
    }
}
