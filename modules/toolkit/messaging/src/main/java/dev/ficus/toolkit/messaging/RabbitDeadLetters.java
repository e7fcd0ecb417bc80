package dev.ficus.toolkit.messaging;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        String deadLetters = Partitions.deadLetters(exchange, consumer);
        Integer moved = new RabbitTemplate(connections).execute(channel -> {
            if (!connections.isPublisherConfirms()) {
                channel.confirmSelect();
            }
            int count = 0;
            for (GetResponse letter; (letter = channel.basicGet(deadLetters, false)) != null; count++) {
                String queue = origin(letter);
                if (queue == null) {
                    channel.basicNack(letter.getEnvelope().getDeliveryTag(), false, true);
                    throw new IllegalStateException("A dead letter of " + consumer + " does not say which queue it left");
                }
                // The default exchange routes to the queue of that name: the partition it came from. The
                // letter leaves the dead letters only once the broker confirmed it is back; a crash in
                // between leaves it in both, and the inbox drops the second.
                channel.basicPublish("", queue, letter.getProps(), letter.getBody());
                channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
                channel.basicAck(letter.getEnvelope().getDeliveryTag(), false);
            }
            return count;
        });
        log.info("Replayed {} dead letters of {}", moved, consumer);
        return moved;
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
