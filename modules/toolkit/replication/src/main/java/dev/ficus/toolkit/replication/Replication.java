package dev.ficus.toolkit.replication;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.ficus.toolkit.cdc.DeadLetters;

/**
 * Replication of tables from a source database into this application's: a snapshot, then every
 * committed change, applied in commit order; plus the checks and repairs that prove both agree,
 * and the phase that says which side owns writes.
 */
public interface Replication {

    /** Where replication stands: streaming or not, how far behind, what is waiting. */
    ReplicationStatus status();

    ExtractionPhase phase();

    /**
     * Moves writes here ({@link ExtractionPhase#WRITES_MOVED}) or back to the source, in one step
     * with no moment in which both sides take writes: the side giving writes up is fenced (a
     * trigger refuses writes to its tables, SQLSTATE {@code FX409}) before the other takes them.
     *
     * @throws PhaseSwitchRefused if the side taking writes over does not have every change yet
     *                            (not streaming, dead letters waiting, not caught up in time, no
     *                            replication back); nothing is changed then
     */
    void switchPhase(ExtractionPhase phase);

    /**
     * For a service's write operations: passes in {@link ExtractionPhase#WRITES_MOVED}.
     *
     * @throws WritesNotOwnedHere while this side is a read copy
     */
    void requireWritesHere();

    /**
     * Compares every replicated table with its source, chunk by chunk. A row that differs is
     * compared again once the stream has applied what the source had committed when it was read,
     * so rows merely in flight are not reported.
     *
     * @param repair also make each mismatching row here what it is in the source
     * @throws PhaseSwitchRefused to repair once writes moved here
     */
    ReconciliationReport reconcile(boolean repair);

    /**
     * Makes one row here what it is in the source.
     *
     * @param table the table here, {@code schema.table}
     * @param key   its primary key: column name (here) to value
     * @throws UnknownReplicatedTable   if {@code table} is not replicated
     * @throws InvalidRowKey           if the key is incomplete or malformed
     * @throws RowNotFound              if neither side has the row
     * @throws PhaseSwitchRefused       once writes moved here
     */
    RepairResult repair(String table, Map<String, String> key);

    /** Changes that could not be applied, while this application streams. */
    Optional<DeadLetters> deadLetters();

    /** Recorded conflicts, oldest first, at most {@code limit}. */
    List<Conflict> conflicts(int limit);

    /**
     * A row both sides changed to the same version with different contents.
     *
     * @param table    the table here
     * @param key      the row's key, as JSON
     * @param version  the version both claimed
     * @param incoming the source's row, as JSON of its column values as text
     * @param kept     whose row was kept: {@code source} (this side was a read copy) or {@code here}
     */
    record Conflict(long id, String table, String key, String version, String incoming, String kept,
            Instant detectedAt) {
    }
}
