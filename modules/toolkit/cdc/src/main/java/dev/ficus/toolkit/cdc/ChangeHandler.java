package dev.ficus.toolkit.cdc;

/**
 * Reacts to changes. Per row, changes arrive in commit order; after a crash the last ones may
 * come again, so handlers must be idempotent.
 *
 * <p>Changes come in batches: {@link #handle} for each change, then {@link #endOfBatch}. A batch
 * only ever ends where a source transaction ends, so a handler that buffers in {@code handle} and
 * writes in {@code endOfBatch} never exposes part of a transaction.
 *
 * <p>When a handler keeps failing (its retries spent), {@link #onFailure} decides: the change is
 * dead-lettered and the stream moves on (later changes of the same row wait behind it), or the
 * stream halts there. A batch whose {@code endOfBatch} fails is delivered again change by change,
 * each followed by its own {@code endOfBatch}, to find the change that fails; only that one is
 * dead-lettered. Dead letters are replayed through {@code handle} and {@code endOfBatch} too, on
 * the stream's own thread: a handler is never called by two threads at once.
 */
public interface ChangeHandler {

    void handle(ChangeEvent change) throws Exception;

    /**
     * A run of the stream starts on this instance, which leads it for this term (a token unique to
     * the run), before any change of the run is handed over. A handler that writes to a database
     * can fence its writes there: claim the term here, and check in each write transaction that
     * it is still the claimed one. A leader that lost its lease but has not noticed yet (its
     * process was frozen, say) is then refused by that database itself. If this throws, the run
     * does not start.
     */
    default void leading(String term) throws Exception {
    }

    /**
     * Whether this handler ignores a change altogether (one it wrote itself, say): such a change is
     * neither handled nor held behind a dead letter of its row. Called on the stream's thread just
     * before {@link #handle}, in order, so it may depend on the changes before it.
     */
    default boolean skips(ChangeEvent change) {
        return false;
    }

    /**
     * Called after each batch of changes, before their position is confirmed: a handler that
     * buffers writes here. Whether it returns or throws, the handler keeps nothing of the batch:
     * if it throws, the stream hands the changes over again.
     */
    default void endOfBatch() throws Exception {
    }

    /**
     * The stream stopped before the batch ended (it halted, or it restarts): whatever the handler
     * holds of the batch must go. The changes come again after the restart.
     */
    default void abandonBatch() {
    }

    /**
     * What the stream does when this handler still fails after its retries.
     *
     * @param change the change that fails, or null when a whole batch failed in {@link #endOfBatch}
     *               (then anything but {@link Failure#HALT} means: find the change that fails)
     * @param error  the last error
     */
    default Failure onFailure(ChangeEvent change, Exception error) {
        return Failure.DEAD_LETTER;
    }

    /** What becomes of a change its handler cannot take. */
    enum Failure {

        /**
         * The change goes to the dead letters with the error, and the stream moves on. Later
         * changes of the same row are dead-lettered behind it, without being tried, until it is
         * replayed: a row's changes never overtake one another.
         */
        DEAD_LETTER,

        /**
         * As {@link #DEAD_LETTER}, but every later change of the change's table waits behind it:
         * for errors that concern the table, not the row (a column that is gone).
         */
        DEAD_LETTER_TABLE,

        /**
         * The stream stops at the change and confirms nothing after it; it restarts after a pause
         * and tries again. For errors that time can mend (a database that is down), or for tables
         * whose changes must never be applied out of order.
         */
        HALT
    }
}
