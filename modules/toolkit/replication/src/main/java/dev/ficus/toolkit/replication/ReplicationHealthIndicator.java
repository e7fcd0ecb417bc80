package dev.ficus.toolkit.replication;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** UP while the stream from the source runs (or stands by for the instance that streams). */
class ReplicationHealthIndicator implements HealthIndicator {

    private final Replication replication;

    ReplicationHealthIndicator(Replication replication) {
        this.replication = replication;
    }

    @Override
    public Health health() {
        ReplicationStatus status = replication.status();
        Health.Builder health = switch (status.state()) {
            case STREAMING, STANDBY -> Health.up();
            case STARTING -> Health.outOfService();
            case STOPPED, FAILED -> Health.down();
        };
        return health.withDetail("state", status.state())
                .withDetail("phase", status.phase())
                .withDetail("tables", status.tables())
                .withDetail("pendingDeadLetters", status.pendingDeadLetters())
                .build();
    }
}
