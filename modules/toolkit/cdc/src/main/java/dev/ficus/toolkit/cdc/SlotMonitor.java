package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeStream.Slot;

/** Reads the stream's replication slot from the captured database, at most once a second. */
final class SlotMonitor {

    private static final Duration FRESH_FOR = Duration.ofSeconds(1);
    private static final Duration ABANDONED_FRESH_FOR = Duration.ofSeconds(10);

    private final JdbcClient captured;
    private final String slot;
    private volatile Optional<Slot> last = Optional.empty();
    private volatile Instant readAt = Instant.EPOCH;
    private volatile List<Slot> abandoned = List.of();
    private volatile Instant abandonedReadAt = Instant.EPOCH;

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

    /**
     * Inactive logical slots of this database, other than ours, that a publication of the same
     * name marks as a stream like ours (the toolkit names both alike), as recently read; empty if
     * the database cannot be reached.
     */
    List<Slot> abandoned() {
        if (Instant.now().isAfter(abandonedReadAt.plus(ABANDONED_FRESH_FOR))) {
            try {
                abandoned = captured.sql("""
                        select s.slot_name, coalesce(s.wal_status, 'lost'),
                               coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn), 0)::bigint
                        from pg_replication_slots s
                        where s.slot_type = 'logical' and s.plugin = 'pgoutput' and not s.active
                          and s.database = current_database() and s.slot_name <> ?
                          and exists (select 1 from pg_publication p where p.pubname = s.slot_name)
                        order by 3 desc""")
                        .param(slot)
                        .query((rows, number) -> new Slot(rows.getString(1), rows.getString(2), rows.getLong(3)))
                        .list();
            }
            catch (RuntimeException unreachable) {
                abandoned = List.of();
            }
            abandonedReadAt = Instant.now();
        }
        return abandoned;
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
