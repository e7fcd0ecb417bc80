package dev.ficus.toolkit.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.ficus.toolkit.cdc.ChangeStream;

/**
 * @param name               the replication's name
 * @param source             the source database's URL
 * @param state              the state of the stream from the source
 * @param phase              who owns writes
 * @param tables             source table to table here
 * @param lastLag            commit in the source to handled here, for the latest change; null if
 *                           none was handled since start
 * @param currentAsOf        every source change committed before this instant is applied here (or
 *                           dead-lettered); null until known
 * @param staleness          how long ago that was: how stale the copy may be; null until known
 * @param lastError          why the stream last failed, while it has made no progress since
 * @param pendingDeadLetters changes that could not be applied (and later changes of their rows),
 *                           waiting for a replay
 * @param oldestDeadLetter   when the oldest of them failed
 * @param schemaProblems     source tables whose changes wait because source columns they were fed
 *                           by are gone, and what to do
 * @param conflicts          rows both sides changed to the same version, recorded
 * @param slot               the stream's replication slot in the source
 * @param lastReconciliation what the last reconciliation since start found; null if none ran
 */
public record ReplicationStatus(String name, String source, ChangeStream.State state, ExtractionPhase phase,
        Map<String, String> tables, Duration lastLag, Instant currentAsOf, Duration staleness, String lastError,
        long pendingDeadLetters, Instant oldestDeadLetter, Map<String, String> schemaProblems, long conflicts,
        ChangeStream.Slot slot, ReconciliationReport lastReconciliation) {
}
