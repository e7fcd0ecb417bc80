package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.unit.DataSize;

/**
 * UP while streaming, or while standing by for the instance that streams; DOWN while the
 * connector is down or its slot was lost. {@code DEGRADED} (HTTP 200: restarting the instance
 * would not help) while dead letters wait or the slot holds back more WAL than its threshold.
 */
class ChangeStreamHealthIndicator implements HealthIndicator {

    /** Working, but something needs an operator's attention. */
    static final Status DEGRADED = new Status("DEGRADED");

    private final ManagedChangeStream stream;
    private final DataSize retainedWalThreshold;

    ChangeStreamHealthIndicator(ManagedChangeStream stream, DataSize retainedWalThreshold) {
        this.stream = stream;
        this.retainedWalThreshold = retainedWalThreshold;
    }

    @Override
    public Health health() {
        Health.Builder health = switch (stream.state()) {
            case STREAMING, STANDBY -> Health.up();
            case STARTING -> Health.outOfService();
            case STOPPED, FAILED -> Health.down();
        };
        health.withDetail("state", stream.state()).withDetail("tables", stream.tables());
        describe(stream, retainedWalThreshold, health);
        return health.build();
    }

    /**
     * What a stream's health says beyond its state, shared by every indicator of a stream: its last
     * error, how current it is, its dead letters and its slot; and DEGRADED or DOWN when they call for it.
     */
    static void describe(ManagedChangeStream stream, DataSize retainedWalThreshold, Health.Builder health) {
        Health current = health.build();
        boolean degraded = false;
        stream.lastError().ifPresent(error -> health.withDetail("lastError", error));
        stream.currentAsOf().ifPresent(asOf -> health.withDetail("currentAsOf", asOf));
        stream.lastLag().ifPresent(lag -> health.withDetail("lastLagMillis", lag.toMillis()));
        DeadLetters deadLetters = stream.deadLetters();
        long pending = deadLetters.pendingCount();
        Map<String, Object> letters = new LinkedHashMap<>();
        letters.put("pending", pending);
        if (pending > 0) {
            degraded = true;
            deadLetters.oldestPending().ifPresent(oldest -> letters.put("oldestAgeSeconds",
                    Duration.between(oldest, Instant.now()).toSeconds()));
            deadLetters.pending(1).forEach(first -> letters.put("oldest", Map.of("id", first.id(),
                    "table", first.change().table(), "key", String.valueOf(first.change().key()),
                    "error", first.error().lines().findFirst().orElse(""))));
        }
        health.withDetail("deadLetters", letters);
        boolean lost = false;
        var slot = stream.slot();
        if (slot.isPresent()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("name", slot.get().name());
            details.put("walStatus", slot.get().walStatus());
            details.put("retainedWalBytes", slot.get().retainedWalBytes());
            details.put("retainedWalThresholdBytes", retainedWalThreshold.toBytes());
            health.withDetail("slot", details);
            lost = slot.get().lost();
            degraded |= slot.get().retainedWalBytes() > retainedWalThreshold.toBytes()
                    || "unreserved".equals(slot.get().walStatus());
        }
        if (lost) {
            health.down();
        }
        else if (degraded && Status.UP.equals(current.getStatus())) {
            health.status(DEGRADED);
        }
    }
}
