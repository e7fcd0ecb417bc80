package dev.ficus.toolkit.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.ficus.toolkit.faultproxy.FaultyProxy;
import dev.ficus.toolkit.messaging.MessagingTestApplication.Received;
import dev.ficus.toolkit.messaging.MessagingTestApplication.Shelf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The outbox relayed to the machine's RabbitMQ, reached through a proxy that can go silent or cut
 * every connection, and consumed back by a subscription of the same application.
 */
@SpringBootTest(classes = MessagingTestApplication.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxRelayTests {

    static final FaultyProxy broker = new FaultyProxy(5672);
    static final String CONSUMER = MessagingTestApplication.CONSUMER;
    static final String EXCHANGE = MessagingTestApplication.EXCHANGE;

    @DynamicPropertySource
    static void broker(DynamicPropertyRegistry registry) {
        registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
        registry.add("spring.rabbitmq.port", broker::port);
    }

    @Autowired
    Shelf shelf;

    @Autowired
    Received received;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    EventDeadLetters deadLetters;

    @Autowired
    ConnectionFactory connections;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Outbox outbox;

    @Autowired
    org.springframework.transaction.support.TransactionTemplate transactions;

    @BeforeEach
    void healthy() {
        broker.heal();
        received.poisoned.set(true);
    }

    @AfterAll
    void closeProxy() {
        broker.close();
    }

    @Test
    void eachEventArrivesOnceAndTheEventsOfAKeyInCommitOrder() {
        List<String> keys = keys(8);
        keys.parallelStream().forEach(key -> IntStream.range(0, 25).forEach(seq -> shelf.put(key, seq, false)));

        await().atMost(Duration.ofSeconds(30)).until(() -> receivedOf(keys) == 200);
        for (String key : keys) {
            assertThat(seqs(key)).as("events of %s in the order they were committed", key)
                    .containsExactlyElementsOf(IntStream.range(0, 25).boxed().toList());
        }
        assertThat(jdbc.sql("select count(distinct message_id) from shelf.received where key like ?")
                .param(prefix(keys) + "%").query(Long.class).single()).isEqualTo(200);
        assertThat(jdbc.sql("select count(*) from shelf.received where key like ? and position is null")
                .param(prefix(keys) + "%").query(Long.class).single())
                .as("each message carries the position of the transaction that wrote it").isZero();
        assertThat(meters.get("ficus.messaging.relay.lag").timer().count()).isGreaterThanOrEqualTo(200);
    }

    @Test
    void anEventOfATransactionThatRolledBackNeverLeaves() {
        String key = keys(1).get(0);
        assertThatThrownBy(() -> shelf.putThenFail(key, 0)).hasMessageContaining("rolled back");
        shelf.put(key, 1, false);

        await().atMost(Duration.ofSeconds(30)).until(() -> seqs(key).contains(1));
        assertThat(seqs(key)).containsExactly(1);
    }

    @Test
    void anEventPublishedOutsideATransactionIsRefused() {
        Outbox outbox = new JdbcOutbox(jdbc, new tools.jackson.databind.json.JsonMapper(), "messaging",
                new MessagingAutoConfiguration.OutboxTraceContext(headers -> { }));
        assertThatThrownBy(() -> outbox.publish("ItemShelved", 1, "k", "{}"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("transaction");
    }

    @Test
    void theSameMessageDeliveredTwiceIsActedOnOnce() {
        String key = keys(1).get(0);
        Message message = message(UUID.randomUUID(), key, "{\"key\":\"" + key + "\",\"seq\":7,\"poison\":false}");
        RabbitTemplate rabbit = new RabbitTemplate(connections);
        String routingKey = Partitions.routingKey("ItemShelved", Partitions.of(key, 3));
        rabbit.send(EXCHANGE, routingKey, message);
        rabbit.send(EXCHANGE, routingKey, message);
        shelf.put(key, 8, false);

        await().atMost(Duration.ofSeconds(30)).until(() -> seqs(key).contains(8));
        assertThat(seqs(key)).containsExactly(7, 8);
        assertThat(meters.get("ficus.messaging.consumed").tag("outcome", "duplicate").counter().count()).isPositive();
    }

    @Test
    void aMessageThatKeepsFailingIsDeadLetteredWithoutStoppingTheOthersAndAReplayAppliesIt() {
        List<String> keys = keys(2);
        String poison = keys.get(0);
        String healthy = keys.get(1);
        shelf.put(poison, 0, true);
        shelf.put(healthy, 0, false);

        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.counts().get(CONSUMER) == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> seqs(healthy).contains(0));
        assertThat(seqs(poison)).isEmpty();

        received.poisoned.set(false);
        assertThat(deadLetters.replay(CONSUMER)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(30)).until(() -> seqs(poison).contains(0));
        assertThat(deadLetters.counts().get(CONSUMER)).isZero();
        assertThatThrownBy(() -> deadLetters.replay("nobody")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMessageThatCannotBeReadGoesToTheDeadLettersAtOnce() {
        String key = keys(1).get(0);
        long before = deadLetters.counts().get(CONSUMER);
        new RabbitTemplate(connections).send(EXCHANGE, Partitions.routingKey("ItemShelved", Partitions.of(key, 3)),
                message(UUID.randomUUID(), key, "not json {"));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> deadLetters.counts().get(CONSUMER) == before + 1);
        assertThat(meters.get("ficus.messaging.consumed").tag("outcome", "unreadable").counter().count()).isPositive();
        // Leave nothing for the replay test to find.
        new RabbitTemplate(connections).receive(Partitions.deadLetters(EXCHANGE, CONSUMER));
    }

    /**
     * An event nobody consumes is kept by the exchange, not dropped, and does not hold the others
     * up; once a consumer's queue is there, publishing the unrouted messages again delivers it.
     */
    @Test
    void anEventNoQueueTakesIsKeptAndCanBePublishedAgainOnceOneDoes() {
        String key = keys(1).get(0);
        long before = deadLetters.unrouted();
        transactions.executeWithoutResult(status -> outbox.publish("ItemAudited", 1, key, java.util.Map.of("key", key)));
        shelf.put(key, 0, false);

        await().atMost(Duration.ofSeconds(30)).until(() -> seqs(key).contains(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.unrouted() >= before + 1);

        RabbitAdmin admin = new RabbitAdmin(connections);
        org.springframework.amqp.core.Queue audits = new org.springframework.amqp.core.Queue(EXCHANGE + ".audits", false,
                false, true);
        admin.declareQueue(audits);
        admin.declareBinding(org.springframework.amqp.core.BindingBuilder.bind(audits)
                .to(new org.springframework.amqp.core.TopicExchange(EXCHANGE)).with("ItemAudited.*"));
        assertThat(deadLetters.republishUnrouted()).isGreaterThanOrEqualTo(1);

        Message audited = new RabbitTemplate(connections).receive(audits.getName(), 10_000);
        assertThat(audited).isNotNull();
        assertThat(audited.getMessageProperties().getType()).isEqualTo("ItemAudited");
        assertThat(audited.getMessageProperties().getHeaders()).containsEntry("ficus-key", key);
    }

    /**
     * The broker goes silent after taking the messages, so their confirms never come, then every
     * connection is cut: the relay must publish the batch again, and the consumer act on each once.
     */
    @Test
    void aBatchTheBrokerNeverConfirmedIsPublishedAgainAndActedOnOnce() {
        List<String> keys = keys(3);
        broker.blackhole();
        keys.forEach(key -> IntStream.range(0, 5).forEach(seq -> shelf.put(key, seq, false)));

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> receivedOf(keys) == 0);
        broker.cut();
        broker.heal();

        await().atMost(Duration.ofSeconds(60)).until(() -> receivedOf(keys) >= 15);
        for (String key : keys) {
            assertThat(seqs(key)).containsExactly(0, 1, 2, 3, 4);
        }
    }

    private static Message message(UUID id, String key, String body) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(id.toString());
        properties.setType("ItemShelved");
        properties.setHeader("ficus-key", key);
        properties.setHeader("ficus-version", 1);
        return new Message(body.getBytes(StandardCharsets.UTF_8), properties);
    }

    private static List<String> keys(int count) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return IntStream.range(0, count).mapToObj(i -> run + "-" + i).toList();
    }

    private static String prefix(List<String> keys) {
        return keys.get(0).substring(0, 8);
    }

    private long receivedOf(List<String> keys) {
        return jdbc.sql("select count(*) from shelf.received where key like ?").param(prefix(keys) + "%")
                .query(Long.class).single();
    }

    private List<Integer> seqs(String key) {
        return jdbc.sql("select seq from shelf.received where key = ? order by id").param(key).query(Integer.class).list();
    }
}
