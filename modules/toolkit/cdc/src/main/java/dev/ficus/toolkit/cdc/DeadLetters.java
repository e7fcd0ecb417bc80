package dev.ficus.toolkit.cdc;

import java.time.Instant;
import java.util.List;

/**
 * Changes a subscriber failed to handle even after its retries. They wait here, visible in
 * metrics, health and the {@code deadletters} actuator endpoint, until replayed.
 */
public interface DeadLetters {

    /** How many dead letters wait for a replay. */
    long pendingCount();

    /** Dead letters not yet replayed successfully, oldest first. */
    List<DeadLetter> pending();

    /**
     * Hands a dead letter to its subscriber again.
     *
     * @return true if the subscriber handled it now; false if it failed again (it stays pending)
     * @throws IllegalArgumentException if there is no pending dead letter with this id
     */
    boolean replay(long id);

    /** Replays every pending dead letter, oldest first; returns how many succeeded. */
    int replayAll();

    /**
     * @param subscription the subscriber that failed
     * @param error        its last error
     */
    record DeadLetter(long id, String subscription, ChangeEvent change, String error, Instant failedAt) {
    }
}
