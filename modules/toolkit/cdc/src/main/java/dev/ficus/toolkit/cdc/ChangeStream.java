package dev.ficus.toolkit.cdc;

import java.time.Duration;
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
        /** The connector failed; it is restarted after a pause. */
        FAILED
    }

    State state();

    /** The {@code schema.table} names captured. */
    Set<String> tables();

    /** Commit to handled for the latest change, if one was handled since start. */
    Optional<Duration> lastLag();
}
