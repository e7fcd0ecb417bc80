package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the change stream ({@code ficus.cdc.*}).
 *
 * @param enabled              stream at all
 * @param name                 names the stream, and by default its replication slot and publication;
 *                             unset, it is {@code spring.application.name} made a plain lower-case
 *                             identifier (two applications on one server do not collide), else this
 * @param slotName             PostgreSQL replication slot; empty means {@code name}
 * @param publicationName      PostgreSQL publication, kept to the captured tables; empty means {@code name}
 * @param tables               tables to capture besides those that subscriptions name
 * @param schema               schema of the stream's own tables: offsets, dead letters, heartbeat
 * @param snapshotMode         Debezium snapshot mode: {@code no_data} streams from now on,
 *                             {@code initial} first reads every captured row (as SNAPSHOT changes)
 * @param fullReplicaIdentity  set captured tables to REPLICA IDENTITY FULL, so UPDATE and DELETE
 *                             carry the complete old row (needed to evict by non-key columns)
 * @param heartbeatInterval    how often the stream writes a heartbeat row, so that a quiet captured
 *                             table never holds back the slot (and with it WAL) while others are busy
 * @param pollInterval         how long the connector waits for more changes before handing a batch
 *                             over: lower means less lag, more wake-ups
 * @param offsetFlushInterval  how often the position of handled changes is saved; after a crash at
 *                             most this much is delivered again
 * @param lockRetryInterval    how often a standby instance tries to take over the stream
 * @param lease                how long leadership lasts unless renewed: PostgreSQL ends the
 *                             leader's lock session after this long without a renewal (its
 *                             {@code idle_session_timeout}), so a frozen or cut-off leader is
 *                             replaced about this long after it stopped, plus a lock retry and a
 *                             connector start; a leader pausing longer (a long GC) loses the lead
 * @param stallTimeout         a leader whose stream shows no progress this long (no change, no
 *                             heartbeat, no batch handled) gives its lease up for another instance
 * @param restartBackoff       pause before restarting a failed connector
 * @param maxRestartBackoff    a database that cannot be streamed from at all ({@code fail-fast}
 *                             says when) is asked again after a pause that doubles from
 *                             {@code restart-backoff} up to this
 * @param failFast             refuse to start when the captured database cannot be streamed from at
 *                             all ({@code wal_level} not {@code logical}, a user without the
 *                             replication privilege, no replication slot left), with one sentence
 *                             saying what to do; false starts anyway: the stream reports the
 *                             problem in health and tries again, and caches it would invalidate
 *                             are bypassed
 * @param retry                how a failing subscriber is retried before its change is dead-lettered
 * @param isolationLimit       changes of one batch kept in memory, so that a batch a subscriber
 *                             cannot finish is delivered again change by change at once; a larger
 *                             batch (one big transaction) is read again from the log instead
 * @param retainedWalThreshold write-ahead log the stream's slot may hold back before health reports
 *                             it (the stream is stalled or far behind); keep it below the server's
 *                             {@code max_slot_wal_keep_size}, past which PostgreSQL drops the slot
 * @param debezium             further Debezium properties; they win over the ones derived above
 */
@ConfigurationProperties("ficus.cdc")
public record ChangeStreamProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("ficus") String name,
        @DefaultValue("") String slotName,
        @DefaultValue("") String publicationName,
        @DefaultValue Set<String> tables,
        @DefaultValue("cdc") String schema,
        @DefaultValue("no_data") String snapshotMode,
        @DefaultValue("true") boolean fullReplicaIdentity,
        @DefaultValue("1s") Duration heartbeatInterval,
        @DefaultValue("10ms") Duration pollInterval,
        @DefaultValue("1s") Duration offsetFlushInterval,
        @DefaultValue("2s") Duration lockRetryInterval,
        @DefaultValue("6s") Duration lease,
        @DefaultValue("15s") Duration stallTimeout,
        @DefaultValue("2s") Duration restartBackoff,
        @DefaultValue("1m") Duration maxRestartBackoff,
        @DefaultValue("true") boolean failFast,
        @DefaultValue Retry retry,
        @DefaultValue("10000") int isolationLimit,
        @DefaultValue("1GB") DataSize retainedWalThreshold,
        @DefaultValue Map<String, String> debezium) {

    public ChangeStreamProperties {
        for (String identifier : new String[] {name, slotName, publicationName, schema}) {
            if (!identifier.isEmpty() && !identifier.matches("[a-z_][a-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("'" + identifier + "' is not a plain lower-case identifier");
            }
        }
        tables.forEach(ChangeSubscription::requireQualified);
        if (lease.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new IllegalArgumentException("ficus.cdc.lease must be at least 2s, not " + lease);
        }
        if (isolationLimit < 1) {
            throw new IllegalArgumentException("ficus.cdc.isolation-limit must be at least 1");
        }
    }

    String slot() {
        return slotName.isEmpty() ? name : slotName;
    }

    String publication() {
        return publicationName.isEmpty() ? name : publicationName;
    }

    /**
     * @param maxAttempts    calls of a handler for one change, the first included
     * @param initialBackoff pause after the first failure; it doubles after each further one
     * @param maxBackoff     longest pause
     */
    public record Retry(
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("50ms") Duration initialBackoff,
            @DefaultValue("1s") Duration maxBackoff) {

        Duration backoffAfter(int failedAttempts) {
            long millis = initialBackoff.toMillis() << Math.min(failedAttempts - 1, 20);
            return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
        }
    }
}
