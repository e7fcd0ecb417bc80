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
}
