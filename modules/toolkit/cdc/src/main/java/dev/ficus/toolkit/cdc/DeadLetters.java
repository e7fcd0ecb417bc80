package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Changes a subscriber failed to handle even after its retries, and the later changes of the same
 * rows that wait behind them. They stay here, visible in metrics, health and the
 * {@code deadletters} actuator endpoint, until replayed.
 *
 * <p>A replay is carried out by the instance that streams, on the stream's own thread, through the
 * subscriber's {@code handle} and {@code endOfBatch}; it counts only once both returned. Replaying
 * a row's first dead letter also replays the ones waiting behind it, in order.
 */
public interface DeadLetters {

    /** How long {@link #replay} and {@link #replayAll} wait for the streaming instance. */
    Duration REPLAY_TIMEOUT = Duration.ofSeconds(30);

    /** How many dead letters wait for a replay. */
    long pendingCount();

    /** When the oldest pending dead letter failed. */
    Optional<Instant> oldestPending();

    /** Pending dead letters, oldest first, at most {@code limit}. */
    List<DeadLetter> pending(int limit);

    /** Pending dead letters of one captured table ({@code schema.table}), oldest first, at most {@code limit}. */
    List<DeadLetter> pending(String table, int limit);

    /**
     * Replays a dead letter and those waiting behind it.
     *
     * @throws NoSuchDeadLetter      if there is no pending dead letter with this id
     * @throws DeadLetterWaitsBehind if it waits behind another pending one: replay that one
     */
    Replay replay(long id);

    /** Replays every pending dead letter, oldest first. */
    Replay replayAll();

    /**
     * @param subscription the subscriber that failed
     * @param error        its last error, or why the change waits ("behind dead letter 12")
     * @param attempts     how often the subscriber was called with it, replays included
     * @param waitsBehind  the dead letter it waits behind, if it was never tried itself
     * @param holdsTable   whether every later change of its table waits behind it (or behind the
     *                     dead letter it waits behind), not only its row's
     */
    record DeadLetter(long id, String subscription, ChangeEvent change, String error, int attempts,
            Instant failedAt, Long waitsBehind, boolean holdsTable) {
    }

    /**
     * What a replay did.
     *
     * @param replayed how many dead letters were handled now
     * @param failed   the ones that failed again, with their error; they stay pending
     * @param pending  dead letters still pending afterwards
     * @param queued   true if no streaming instance took the request within
     *                 {@link #REPLAY_TIMEOUT}: it stays requested and is carried out once one streams
     */
    record Replay(int replayed, Map<Long, String> failed, long pending, boolean queued) {
    }
}
