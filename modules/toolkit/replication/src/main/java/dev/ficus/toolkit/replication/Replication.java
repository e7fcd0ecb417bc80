package dev.ficus.toolkit.replication;

import java.util.Map;

/**
 * Replication of tables from a source database into this application's: a snapshot, then every
 * committed change, applied in commit order; plus the checks and repairs that prove both agree,
 * and the phase that says which side owns writes.
 */
public interface Replication {

    /** Where replication stands: streaming or not, how far behind, what is waiting. */
    ReplicationStatus status();

    ExtractionPhase phase();

    /** Moves writes here ({@link ExtractionPhase#WRITES_MOVED}) or back to the source. */
    void switchPhase(ExtractionPhase phase);

    /**
     * For a service's write operations: passes in {@link ExtractionPhase#WRITES_MOVED}.
     *
     * @throws WritesNotOwnedHere while this side is a read copy
     */
    void requireWritesHere();

    /**
     * Compares every replicated table with its source, chunk by chunk.
     *
     * @param repair also make each mismatching row here what it is in the source
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
     */
    RepairResult repair(String table, Map<String, String> key);
}
