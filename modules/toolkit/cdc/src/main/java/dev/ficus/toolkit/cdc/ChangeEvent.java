package dev.ficus.toolkit.cdc;

import java.time.Instant;
import java.util.Map;

/**
 * One committed change of one row, read from PostgreSQL's write-ahead log.
 *
 * <p>Each column value is the Java type that holds it exactly: numbers as {@code Short},
 * {@code Integer}, {@code Long}, {@code Float}, {@code Double} or {@code BigDecimal} (any
 * {@code numeric}), {@code boolean} as {@code Boolean}, {@code bytea} as {@code byte[]},
 * {@code date} as {@code LocalDate}, {@code time} as {@code LocalTime}, {@code timestamp} as
 * {@code LocalDateTime}, {@code timestamptz} as {@code Instant}, {@code timetz} as
 * {@code OffsetTime} (in UTC: PostgreSQL's logical decoding does not keep the original offset),
 * arrays as {@code List}s, {@code bit(n)} as its digits; text and text-like types (uuid, json,
 * jsonb, enums, inet, interval as ISO 8601) as {@code String}, and so are the dates and
 * timestamps 'infinity' and '-infinity'.
 *
 * @param table       {@code schema.table}
 * @param operation   what happened
 * @param key         the row's primary key columns; empty for {@link Operation#TRUNCATE}
 * @param before      the row before the change: on UPDATE and DELETE, complete when the table's
 *                    replica identity is FULL (the default for captured tables), else key only
 * @param after       the row after the change: on INSERT, UPDATE and SNAPSHOT
 * @param position    the change's log sequence number: of two changes to the same row, the later
 *                    has the higher position (a row's writers take turns, holding its lock until
 *                    they commit); across rows, positions need not follow commit order
 * @param transaction the id of the transaction that made the change; changes of one transaction
 *                    arrive together
 * @param committedAt when the transaction committed
 */
public record ChangeEvent(
        String table,
        Operation operation,
        Map<String, Object> key,
        Map<String, Object> before,
        Map<String, Object> after,
        long position,
        long transaction,
        Instant committedAt) {

    public enum Operation {
        INSERT, UPDATE, DELETE, TRUNCATE,
        /** A row read by the initial snapshot, before streaming starts. */
        SNAPSHOT
    }

    /**
     * Whether a value is the stand-in for one PostgreSQL did not send: an unchanged TOASTed value
     * of a table without REPLICA IDENTITY FULL. Such a value must not be written anywhere.
     */
    public static boolean unavailable(Object value) {
        return ChangeEvents.unavailable(value);
    }

    /** The row as it is now, or as it was before it was deleted. */
    public Map<String, Object> row() {
        return after != null ? after : before;
    }
}
