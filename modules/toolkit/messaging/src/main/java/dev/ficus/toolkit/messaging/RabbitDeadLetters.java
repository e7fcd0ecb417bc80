package dev.ficus.toolkit.messaging;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/** Dead letters in a quorum queue per consumer; a replay moves each back, confirmed before it leaves them. */
final class RabbitDeadLetters implements EventDeadLetters {

    private static final Logger log = LoggerFactory.getLogger(RabbitDeadLetters.class);

    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

    private final ConnectionFactory connections;
    private final RabbitAdmin admin;
    private final List<String> consumers;
    private final String exchange;

    RabbitDeadLetters(ConnectionFactory connections, List<EventSubscription> subscriptions, String exchange) {
        this.exchange = exchange;
        this.connections = connections;
        this.admin = new RabbitAdmin(connections);
        this.consumers = subscriptions.stream().map(EventSubscription::consumer).toList();
    }

    @Override
    public Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String consumer : consumers) {
            QueueInformation queue = admin.getQueueInfo(Partitions.deadLetters(exchange, consumer));
            counts.put(consumer, queue == null ? 0L : queue.getMessageCount());
        }
        return counts;
    }

    @Override
    public int replay(String consumer) {
        if (!consumers.contains(consumer)) {
            throw new IllegalArgumentException("No consumer " + consumer + "; there are " + consumers);
        }
        int moved = move(Partitions.deadLetters(exchange, consumer), letter -> {
            String queue = origin(letter);
            if (queue == null) {
                throw new IllegalStateException("A dead letter of " + consumer + " does not say which queue it left");
            }
            // The default exchange routes to the queue of that name: the partition it came from.
            return new Destination("", queue);
        });
        log.info("Replayed {} dead letters of {}", moved, consumer);
        return moved;
    }

    @Override
    public long unrouted() {
        QueueInformation queue = admin.getQueueInfo(Partitions.unrouted(exchange));
        return queue == null ? 0L : queue.getMessageCount();
    }

    @Override
    public int republishUnrouted() {
        int moved = move(Partitions.unrouted(exchange),
                letter -> new Destination(exchange, letter.getEnvelope().getRoutingKey()));
        log.info("Published {} unrouted messages to {} again", moved, exchange);
        return moved;
    }

    private record Destination(String exchange, String routingKey) {
    }

    /**
     * Moves the messages waiting in a queue now (no more: one that comes back at once waits behind
     * them) to where each should go. A message leaves the queue only once the broker confirmed it
     * arrived; a crash in between leaves it in both, and the consumers' inbox drops the second. Its
     * deliveries count anew.
     */
    private int move(String from, java.util.function.Function<GetResponse, Destination> destination) {
        Integer moved = new RabbitTemplate(connections).execute(channel -> {
            if (!connections.isPublisherConfirms()) {
                channel.confirmSelect();
            }
            long waiting = channel.messageCount(from);
            int count = 0;
            for (GetResponse letter; count < waiting && (letter = channel.basicGet(from, false)) != null; count++) {
                Destination to;
                try {
                    to = destination.apply(letter);
                }
                catch (RuntimeException e) {
                    channel.basicNack(letter.getEnvelope().getDeliveryTag(), false, true);
                    throw e;
                }
                channel.basicPublish(to.exchange(), to.routingKey(), afresh(letter.getProps()), letter.getBody());
                channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
                channel.basicAck(letter.getEnvelope().getDeliveryTag(), false);
            }
            return count;
        });
        return moved == null ? 0 : moved;
    }

    private static AMQP.BasicProperties afresh(AMQP.BasicProperties properties) {
        Map<String, Object> headers = properties.getHeaders() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(properties.getHeaders());
        headers.remove("x-delivery-count");
        return properties.builder().headers(headers).build();
    }

    /** The queue a message was dead-lettered from: the first entry of its {@code x-death} history. */
    private static String origin(GetResponse letter) {
        Map<String, Object> headers = letter.getProps().getHeaders();
        if (headers != null && headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty()
                && deaths.get(0) instanceof Map<?, ?> death && death.get("queue") != null) {
            return death.get("queue").toString();
        }
        return null;
    }
}
