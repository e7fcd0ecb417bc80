package dev.ficus.toolkit.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.unit.DataSize;

import dev.ficus.toolkit.cdc.ChangeStream;
import dev.ficus.toolkit.cdc.ChangeStreamProperties;
import dev.ficus.toolkit.cdc.ChangeStreams;
import dev.ficus.toolkit.cdc.ChangeSubscription;
import dev.ficus.toolkit.cdc.ManagedChangeStream;
import dev.ficus.toolkit.cdc.PostgresDatabase;

/**
 * The relay's own change stream, capturing only the outbox: a broker that is down halts it and
 * nothing else (the application's stream, which keeps caches fresh, streams on). Like every change
 * stream, one instance of the application leads it at a time.
 */
final class RelayStream implements SmartLifecycle {

    private final ManagedChangeStream stream;

    /**
     * Two attempts at a batch before the stream restarts: with the confirm timeout's wait each, they
     * stay within the stall timeout (15 s), past which the lease would go to another instance.
     */
    RelayStream(MessagingProperties settings, PostgresDatabase database, DataSource dataSource, OutboxRelay relay,
            MeterRegistry meters) {
        ChangeStreamProperties streamSettings = new ChangeStreamProperties(true, settings.relay().stream(), "", "",
                Set.of(), settings.schema(), "initial", true, Duration.ofSeconds(1), Duration.ofMillis(5),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(15),
                Duration.ofSeconds(1), Duration.ofSeconds(30), false, new ChangeStreamProperties.Retry(2,
                        Duration.ofMillis(100), Duration.ofSeconds(1)),
                10_000, DataSize.ofGigabytes(1), Map.of());
        this.stream = ChangeStreams.create(streamSettings, database, database, dataSource,
                List.of(new ChangeSubscription("outbox-relay", Set.of(relay.table()), relay)), meters);
    }

    ChangeStream stream() {
        return stream;
    }

    @Override
    public void start() {
        stream.start();
    }

    @Override
    public void stop() {
        stream.stop();
    }

    @Override
    public boolean isRunning() {
        return stream.isRunning();
    }

    @Override
    public int getPhase() {
        return stream.getPhase();
    }
}
