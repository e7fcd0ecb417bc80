package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeStream.Slot;

/** Reads the stream's replication slot from the captured database, at most once a second. */
final class SlotMonitor {

    private static final Duration FRESH_FOR = Duration.ofSeconds(1);

    private final JdbcClient captured;
    private final String slot;
    private volatile Optional<Slot> last = Optional.empty();
    private volatile Instant readAt = Instant.EPOCH;

    SlotMonitor(JdbcClient captured, String slot) {
        this.captured = captured;
        this.slot = slot;
    }

    /** The slot as recently read; empty if it does not exist or the database cannot be reached. */
    Optional<Slot> current() {
        if (Instant.now().isAfter(readAt.plus(FRESH_FOR))) {
            try {
                return read();
            }
            catch (RuntimeException unreachable) {
                return Optional.empty();
            }
        }
        return last;
    }

    /** The slot as it is now. */
    Optional<Slot> read() {
        Optional<Slot> now = captured.sql("""
                select slot_name, coalesce(wal_status, 'lost'),
                       coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint
                from pg_replication_slots where slot_name = ? and database = current_database()""")
                .param(slot)
                .query((rows, number) -> new Slot(rows.getString(1), rows.getString(2), rows.getLong(3)))
                .optional();
        last = now;
        readAt = Instant.now();
        return now;
    }
}
