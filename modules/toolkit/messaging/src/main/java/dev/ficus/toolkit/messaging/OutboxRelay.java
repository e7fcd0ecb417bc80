package dev.ficus.toolkit.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeEvent;
import dev.ficus.toolkit.cdc.ChangeEvent.Operation;
import dev.ficus.toolkit.cdc.ChangeHandler;

/**
 * Publishes the rows inserted into the outbox, batch by batch in commit order, and returns from a
 * batch only once the broker confirmed every message of it: the stream confirms its position only
 * then. A batch that is not confirmed (broker down, nack, timeout) halts the stream, which
 * publishes it again after a pause; consumers drop the duplicates by message id.
 */
final class OutboxRelay implements ChangeHandler {

    static final String VERSION = "ficus-version";
    static final String KEY = "ficus-key";
    static final String POSITION = "ficus-position";
    static final String TRANSACTION = "ficus-transaction";
    static final String COMMITTED_AT = "ficus-committed-at";

    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };
    /** Messages waiting for their confirms at most: a transaction of any size is published in parts. */
    private static final int CHUNK = 1_000;

    private final RabbitTemplate rabbit;
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final MessagingProperties settings;
    private final String table;
    private final MeterRegistry meters;
    private final Timer lag;
    private final List<Pending> batch = new ArrayList<>();
    private Instant lastPurge = Instant.EPOCH;

    OutboxRelay(RabbitTemplate rabbit, JdbcClient jdbc, JsonMapper json, MessagingProperties settings,
            MeterRegistry meters) {
        this.rabbit = rabbit;
        this.jdbc = jdbc;
        this.json = json;
        this.settings = settings;
        this.table = settings.schema() + ".outbox";
        this.meters = meters;
        this.lag = Timer.builder("ficus.messaging.relay.lag")
                .description("From an event's commit until the broker confirmed it")
                .publishPercentileHistogram()
                .register(meters);
    }

    String table() {
        return table;
    }

    @Override
    public void handle(ChangeEvent change) {
        // Deletes are the relay's own purge; a snapshot row was written before the stream began.
        if (change.operation() == Operation.INSERT || change.operation() == Operation.SNAPSHOT) {
            batch.add(new Pending(message(change), change.committedAt()));
        }
    }

    private Message message(ChangeEvent change) {
        Map<String, Object> row = change.after();
        String type = (String) row.get("type");
        String key = (String) row.get("partition_key");
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(String.valueOf(row.get("id")));
        properties.setType(type);
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        properties.setContentEncoding("UTF-8");
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setTimestamp(Date.from((Instant) row.get("created_at")));
        json.readValue((String) row.get("headers"), HEADERS).forEach(properties::setHeader);
        properties.setHeader(VERSION, row.get("version"));
        properties.setHeader(KEY, key);
        properties.setHeader(POSITION, change.position());
        properties.setHeader(TRANSACTION, change.transaction());
        properties.setHeader(COMMITTED_AT, change.committedAt().toString());
        properties.setReceivedRoutingKey(Partitions.routingKey(type, Partitions.of(key, settings.partitions())));
        return new Message(((String) row.get("payload")).getBytes(StandardCharsets.UTF_8), properties);
    }

    @Override
    public void endOfBatch() throws Exception {
        try {
            publishConfirmed();
        }
        finally {
            batch.clear();
        }
        purge();
    }

    private void publishConfirmed() throws Exception {
        for (int from = 0; from < batch.size(); from += CHUNK) {
            publishConfirmed(batch.subList(from, Math.min(batch.size(), from + CHUNK)));
        }
        Instant confirmed = Instant.now();
        for (Pending pending : batch) {
            lag.record(Duration.between(pending.committedAt(), confirmed));
            meters.counter("ficus.messaging.relay.published", "type",
                    pending.message().getMessageProperties().getType()).increment();
        }
    }

    /**
     * Publishes part of a batch on one channel (the broker keeps the order of what one channel
     * publishes, not across channels) and waits until the broker confirmed all of it; the next part
     * goes only then. What no consumer's queue takes, the exchange keeps in its unrouted queue.
     */
    private void publishConfirmed(List<Pending> chunk) throws Exception {
        List<CorrelationData> confirms = new ArrayList<>(chunk.size());
        rabbit.invoke(channel -> {
            for (Pending pending : chunk) {
                CorrelationData confirm = new CorrelationData(pending.message().getMessageProperties().getMessageId());
                channel.send(settings.exchange(), pending.message().getMessageProperties().getReceivedRoutingKey(),
                        pending.message(), confirm);
                confirms.add(confirm);
            }
            return null;
        });
        long deadline = System.nanoTime() + settings.relay().confirmTimeout().toNanos();
        for (CorrelationData confirm : confirms) {
            CorrelationData.Confirm answer;
            try {
                answer = confirm.getFuture().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (TimeoutException e) {
                throw new IllegalStateException("The broker did not confirm event " + confirm.getId() + " within "
                        + settings.relay().confirmTimeout(), e);
            }
            catch (ExecutionException e) {
                throw new IllegalStateException("Publishing event " + confirm.getId() + " failed", e.getCause());
            }
            if (!answer.ack()) {
                throw new IllegalStateException("The broker refused event " + confirm.getId() + ": " + answer.reason());
            }
        }
    }

    /** Now and then, the rows relayed long ago go: the relay ignores its own deletes. */
    private void purge() {
        Instant now = Instant.now();
        if (Duration.between(lastPurge, now).compareTo(settings.relay().retention().dividedBy(10)) < 0) {
            return;
        }
        lastPurge = now;
        jdbc.sql("delete from " + table + " where created_at < ?")
                .param(java.sql.Timestamp.from(now.minus(settings.relay().retention())))
                .update();
    }

    @Override
    public void abandonBatch() {
        batch.clear();
    }

    /** Events must leave in order: the stream stops at a batch it could not publish and tries it again. */
    @Override
    public Failure onFailure(ChangeEvent change, Exception error) {
        return Failure.HALT;
    }

    private record Pending(Message message, Instant committedAt) {
    }
}
