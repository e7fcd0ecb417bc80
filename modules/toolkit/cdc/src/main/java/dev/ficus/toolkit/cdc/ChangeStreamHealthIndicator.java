package dev.ficus.toolkit.cdc;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while streaming, or while standing by for the instance that streams; DOWN while the
 * connector is down. Pending dead letters are reported but do not make the instance unhealthy:
 * restarting it would not bring them back.
 */
class ChangeStreamHealthIndicator implements HealthIndicator {

    private final ManagedChangeStream stream;

    ChangeStreamHealthIndicator(ManagedChangeStream stream) {
        this.stream = stream;
    }

    @Override
    public Health health() {
        Health.Builder health = switch (stream.state()) {
            case STREAMING, STANDBY -> Health.up();
            case STARTING -> Health.outOfService();
            case STOPPED, FAILED -> Health.down();
        };
        health.withDetail("state", stream.state())
                .withDetail("tables", stream.tables())
                .withDetail("pendingDeadLetters", stream.deadLetters().pendingCount());
        stream.lastLag().ifPresent(lag -> health.withDetail("lastLagMillis", lag.toMillis()));
        return health.build();
    }
}
