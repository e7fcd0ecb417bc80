package dev.ficus.toolkit.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * How a replication is doing, for health and readiness.
 *
 * <p>While this side is a read copy, it is OUT_OF_SERVICE once it may be staler than
 * {@code max-staleness} (the stream stalled, failed, or is still copying): a load balancer stops
 * sending it reads. Once writes moved here it owns its rows, and the stream from the source no
 * longer decides whether it can serve. DOWN when the source dropped the replication's slot (it
 * cannot catch up any more). DEGRADED (still HTTP 200) while changes wait in the dead letters,
 * source columns are gone, or the slot holds back more WAL than its threshold: someone has to act,
 * but taking the instance out would not help.
 */
class ReplicationHealthIndicator implements HealthIndicator {

    static final Status DEGRADED = new Status("DEGRADED");

    private final Replication replication;
    private final ReplicationProperties properties;

    ReplicationHealthIndicator(Replication replication, ReplicationProperties properties) {
        this.replication = replication;
        this.properties = properties;
    }

    @Override
    public Health health() {
        ReplicationStatus status = replication.status();
        Duration staleness = status.staleness();
        boolean readCopy = status.phase() == ExtractionPhase.READ_COPY;
        boolean stale = staleness == null || staleness.compareTo(properties.maxStaleness()) > 0;
        boolean lost = status.slot() != null && status.slot().lost();
        boolean degraded = status.pendingDeadLetters() > 0 || !status.schemaProblems().isEmpty()
                || (status.slot() != null && status.slot().retainedWalBytes() > properties.retainedWalThreshold().toBytes());
        Health.Builder health;
        if (lost) {
            health = Health.down();
        }
        else if (readCopy && stale) {
            health = Health.outOfService();
        }
        else if (degraded) {
            health = Health.status(DEGRADED);
        }
        else {
            health = Health.up();
        }
        health.withDetail("state", status.state())
                .withDetail("phase", status.phase())
                .withDetail("tables", status.tables());
        if (staleness != null) {
            health.withDetail("stalenessMillis", staleness.toMillis());
        }
        health.withDetail("maxStalenessMillis", properties.maxStaleness().toMillis());
        if (status.lastError() != null) {
            health.withDetail("lastError", status.lastError());
        }
        Map<String, Object> deadLetters = new LinkedHashMap<>();
        deadLetters.put("pending", status.pendingDeadLetters());
        if (status.oldestDeadLetter() != null) {
            deadLetters.put("oldestAgeSeconds", Duration.between(status.oldestDeadLetter(), Instant.now())
                    .toSeconds());
        }
        health.withDetail("deadLetters", deadLetters);
        if (!status.schemaProblems().isEmpty()) {
            health.withDetail("schemaProblems", status.schemaProblems());
        }
        health.withDetail("conflicts", status.conflicts());
        if (status.slot() != null) {
            Map<String, Object> slot = new LinkedHashMap<>();
            slot.put("name", status.slot().name());
            slot.put("walStatus", status.slot().walStatus());
            slot.put("retainedWalBytes", status.slot().retainedWalBytes());
            slot.put("retainedWalThresholdBytes", properties.retainedWalThreshold().toBytes());
            health.withDetail("slot", slot);
        }
        return health.build();
    }
}
