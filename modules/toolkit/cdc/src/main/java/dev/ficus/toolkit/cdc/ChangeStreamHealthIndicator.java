package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.unit.DataSize;

/**
 * UP while streaming, or while standing by for the instance that streams; DOWN while the
 * connector is down or its slot was lost. {@code DEGRADED} (HTTP 200: restarting the instance
 * would not help) while dead letters wait, or the slot, or an abandoned slot of another stream on
 * the same database (nothing reads it: drop it), holds back more WAL than its threshold.
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
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("state", stream.state());
        details.put("tables", stream.tables());
        stream.lastError().ifPresent(error -> details.put("lastError", error));
        stream.currentAsOf().ifPresent(asOf -> details.put("currentAsOf", asOf));
        stream.lastLag().ifPresent(lag -> details.put("lastLagMillis", lag.toMillis()));
        Map<String, Object> letters = new LinkedHashMap<>();
        long pending = stream.deadLetters().pendingCount();
        letters.put("pending", pending);
        stream.deadLetters().pending(1).forEach(oldest -> {
            letters.put("oldestAgeSeconds", Duration.between(oldest.failedAt(), Instant.now()).toSeconds());
            letters.put("oldest", Map.of("id", oldest.id(), "table", oldest.change().table(),
                    "key", String.valueOf(oldest.change().key()),
                    "error", oldest.error().lines().findFirst().orElse("")));
        });
        details.put("deadLetters", letters);
        boolean degraded = pending > 0;
        Optional<ChangeStream.Slot> slot = stream.slot();
        slot.ifPresent(current -> details.put("slot", Map.of("name", current.name(),
                "walStatus", current.walStatus(), "retainedWalBytes", current.retainedWalBytes(),
                "retainedWalThresholdBytes", retainedWalThreshold.toBytes())));
        if (slot.isPresent()) {
            degraded |= slot.get().retainedWalBytes() > retainedWalThreshold.toBytes()
                    || "unreserved".equals(slot.get().walStatus());
        }
        List<ChangeStream.Slot> abandoned = stream.abandonedSlots();
        if (!abandoned.isEmpty()) {
            details.put("abandonedSlots", abandoned.stream().map(other -> Map.of("name", other.name(),
                    "retainedWalBytes", other.retainedWalBytes())).toList());
            degraded |= abandoned.stream().anyMatch(other -> other.retainedWalBytes() > retainedWalThreshold.toBytes());
        }
        Status status = switch (stream.state()) {
            case STREAMING, STANDBY -> degraded ? DEGRADED : Status.UP;
            case STARTING -> Status.OUT_OF_SERVICE;
            case STOPPED, FAILED -> Status.DOWN;
        };
        if (slot.isPresent() && slot.get().lost()) {
            status = Status.DOWN;
        }
        return Health.status(status).withDetails(details).build();
    }
}
