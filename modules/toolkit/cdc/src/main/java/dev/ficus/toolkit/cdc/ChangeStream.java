package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** The application's stream of changes: what it captures and how it is doing. */
public interface ChangeStream {

    enum State {
        /** Not started yet, or stopped. */
        STOPPED,
        /** Waiting for the stream's lock: another instance of the application is streaming. */
        STANDBY,
        /** Holding the lock, connecting to the replication slot. */
        STARTING,
        STREAMING,
        /** The connector failed or halted on a change ({@link #lastError()} says why); it is restarted after a pause. */
        FAILED
    }

    State state();

    /** The {@code schema.table} names captured. */
    Set<String> tables();

    /** Commit to handled for the latest change, if one was handled since start. */
    Optional<Duration> lastLag();

    /**
     * How current the stream's subscribers are: every change committed in the captured database
     * before this instant (by its clock) has been handled or dead-lettered, by this instance or by
     * the one streaming. Heartbeats move it on while nothing is written; it stops moving while the
     * stream is stalled. Empty until known.
     */
    Optional<Instant> currentAsOf();

    /** Why the stream last failed, as long as it has made no progress since. */
    Optional<String> lastError();

    /** The stream's replication slot as PostgreSQL reports it; empty before it exists or if it cannot be read. */
    Optional<Slot> slot();

    /**
     * A replication slot.
     *
     * @param name             the slot's name
     * @param walStatus        PostgreSQL's {@code wal_status}: {@code reserved}, {@code extended},
     *                         {@code unreserved} (about to be lost) or {@code lost}
     * @param retainedWalBytes how much write-ahead log the slot holds back from being recycled
     */
    record Slot(String name, String walStatus, long retainedWalBytes) {

        /** PostgreSQL removed WAL the slot still needed: the changes in it cannot be streamed any more. */
        public boolean lost() {
            return "lost".equals(walStatus);
        }
    }
}
