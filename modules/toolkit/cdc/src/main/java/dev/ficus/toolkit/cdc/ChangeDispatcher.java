package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each change to the subscribers of its table, one change at a time in commit order,
 * and tells Debezium a change is done only once every subscriber handled it or it was
 * dead-lettered. A change is never skipped silently: if even the dead letter cannot be written,
 * the batch fails, its position is not saved, and it is delivered again after the restart.
 */
class ChangeDispatcher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private static final Logger log = LoggerFactory.getLogger(ChangeDispatcher.class);

    private final String stream;
    private final String heartbeatTable;
    private final List<ChangeSubscription> subscriptions;
    private final Map<String, List<ChangeSubscription>> subscriptionsByTable;
    private final ChangeStreamProperties.Retry retry;
    private final JdbcDeadLetters deadLetters;
    private final MeterRegistry meters;
    private final Timer lag;
    private final AtomicReference<Duration> lastLag = new AtomicReference<>();

    ChangeDispatcher(ChangeStreamProperties properties, List<ChangeSubscription> subscriptions,
            JdbcDeadLetters deadLetters, MeterRegistry meters) {
        this.stream = properties.name();
        this.heartbeatTable = properties.schema() + ".heartbeat";
        this.subscriptions = List.copyOf(subscriptions);
        this.subscriptionsByTable = subscriptions.stream()
                .flatMap(subscription -> subscription.tables().stream().map(table -> Map.entry(table, subscription)))
                .collect(Collectors.groupingBy(Map.Entry::getKey,
                        Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
        this.retry = properties.retry();
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.lag = Timer.builder("ficus.cdc.lag")
                .description("From a change's commit in PostgreSQL until every subscriber handled it")
                .tag("stream", stream)
                .publishPercentileHistogram()
                .register(meters);
    }

    Set<String> subscribedTables() {
        return subscriptionsByTable.keySet();
    }

    Duration lastLag() {
        return lastLag.get();
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        for (RecordChangeEvent<SourceRecord> record : records) {
            ChangeEvents.from(record.record())
                    .filter(change -> !change.table().equals(heartbeatTable))
                    .ifPresent(this::dispatch);
        }
        for (ChangeSubscription subscription : subscriptions) {
            try {
                subscription.handler().endOfBatch();
            }
            catch (Exception e) {
                throw new IllegalStateException(subscription.name() + " could not finish a batch; it comes again", e);
            }
        }
        // Only now is the batch done: a crash before this line delivers all of it again.
        for (RecordChangeEvent<SourceRecord> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
    }

    private void dispatch(ChangeEvent change) {
        for (ChangeSubscription subscription : subscriptionsByTable.getOrDefault(change.table(), List.of())) {
            deliver(subscription, change);
        }
        Duration sinceCommit = Duration.between(change.committedAt(), Instant.now());
        lag.record(sinceCommit);
        lastLag.set(sinceCommit);
        meters.counter("ficus.cdc.events", "stream", stream, "table", change.table(),
                "operation", change.operation().name()).increment();
    }

    private void deliver(ChangeSubscription subscription, ChangeEvent change) {
        Counter retries = meters.counter("ficus.cdc.retries", "stream", stream, "subscription", subscription.name());
        for (int attempt = 1; ; attempt++) {
            try {
                subscription.handler().handle(change);
                return;
            }
            catch (Exception e) {
                if (attempt >= retry.maxAttempts()) {
                    log.error("{} failed {} times on {} {} at {}; dead-lettered", subscription.name(), attempt,
                            change.operation(), change.table(), change.position(), e);
                    deadLetters.store(subscription.name(), change, e, attempt);
                    return;
                }
                retries.increment();
                log.warn("{} failed on {} {} at {} (attempt {}): {}", subscription.name(), change.operation(),
                        change.table(), change.position(), attempt, e.toString());
                pause(retry.backoffAfter(attempt));
            }
        }
    }

    private static void pause(Duration backoff) {
        try {
            Thread.sleep(backoff);
        }
        catch (InterruptedException e) {
            // The stream is stopping: leave this change unconfirmed so it is delivered again.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Stopped while retrying a change", e);
        }
    }
}
