package dev.ficus.toolkit.cdc;

/**
 * Reacts to changes. Per row, changes arrive in commit order. A handler that throws is called
 * again with the same change (with backoff); if it keeps failing the change goes to the dead
 * letters and the stream moves on. After a crash the last changes may come again: handlers must
 * be idempotent.
 */
@FunctionalInterface
public interface ChangeHandler {

    void handle(ChangeEvent change) throws Exception;

    /**
     * Called after each batch of changes, before their position is confirmed: a handler that
     * buffers (to send one message for many changes, say) sends here. If this throws, the stream
     * stops and restarts, and the whole batch is delivered again.
     */
    default void endOfBatch() throws Exception {
    }
}
