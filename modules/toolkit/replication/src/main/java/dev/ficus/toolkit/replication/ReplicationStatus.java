package dev.ficus.toolkit.replication;

import java.time.Duration;
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
 * @param pendingDeadLetters changes that could not be applied and wait for a replay
 */
public record ReplicationStatus(String name, String source, ChangeStream.State state, ExtractionPhase phase,
        Map<String, String> tables, Duration lastLag, long pendingDeadLetters) {
}
