package dev.ficus.toolkit.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.SmartLifecycle;

/**
 * Consumes each {@link EventSubscription}: a quorum queue per partition, with a single active
 * consumer across the application's instances and one message at a time, so the events of a key
 * are acted on in the order they were published. A message whose handler fails is given back
 * after a pause and delivered again; after {@code delivery-limit} deliveries the broker moves it
 * to the consumer's dead letters. A message that cannot be read at all goes there at once.
 */
final class EventConsumers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventConsumers.class);

    private final ConnectionFactory connections;
    private final List<EventSubscription> subscriptions;
    private final MessagingProperties settings;
    private final Inbox inbox;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private static final long HOLD_POLL = 100;

    private final List<SimpleMessageListenerContainer> containers = new ArrayList<>();
    private volatile boolean running;

    EventConsumers(ConnectionFactory connections, List<EventSubscription> subscriptions, MessagingProperties settings,
            Inbox inbox, JsonMapper json, MeterRegistry meters) {
        this.connections = connections;
        this.subscriptions = List.copyOf(subscriptions);
        this.settings = settings;
        this.inbox = inbox;
        this.json = json;
        this.meters = meters;
    }

    /**
     * The exchange, with a queue for what no consumer's queue takes (kept, not dropped: a consumer
     * not deployed yet, partitions counted differently), and per subscription its partition queues,
     * their bindings and its dead letters.
     */
    static Declarables topology(List<EventSubscription> subscriptions, MessagingProperties settings) {
        List<Declarable> declarables = new ArrayList<>();
        String unrouted = Partitions.unrouted(settings.exchange());
        TopicExchange exchange = new TopicExchange(settings.exchange(), true, false,
                java.util.Map.of("alternate-exchange", unrouted));
        FanoutExchange unroutedExchange = new FanoutExchange(unrouted, true, false);
        Queue unroutedQueue = expiring(QueueBuilder.durable(unrouted).quorum(), settings).build();
        declarables.add(exchange);
        declarables.add(unroutedExchange);
        declarables.add(unroutedQueue);
        declarables.add(BindingBuilder.bind(unroutedQueue).to(unroutedExchange));
        for (EventSubscription subscription : subscriptions) {
            String deadLetters = Partitions.deadLetters(settings.exchange(), subscription.consumer());
            FanoutExchange deadLetterExchange = new FanoutExchange(deadLetters, true, false);
            Queue deadLetterQueue = expiring(QueueBuilder.durable(deadLetters).quorum(), settings).build();
            declarables.add(deadLetterExchange);
            declarables.add(deadLetterQueue);
            declarables.add(BindingBuilder.bind(deadLetterQueue).to(deadLetterExchange));
            for (int partition = 0; partition < settings.partitions(); partition++) {
                Queue queue = expiring(QueueBuilder.durable(Partitions.queue(settings.exchange(), subscription.consumer(),
                                partition)).quorum(), settings)
                        .singleActiveConsumer()
                        .deliveryLimit(subscription.deliveryLimit() > 0 ? subscription.deliveryLimit()
                                : settings.consumers().deliveryLimit())
                        .deadLetterExchange(deadLetters)
                        // A message goes to the dead letters only once they hold it: none is dropped on the way.
                        .withArgument("x-dead-letter-strategy", "at-least-once")
                        .overflow(QueueBuilder.Overflow.rejectPublish)
                        .build();
                declarables.add(queue);
                for (String type : subscription.types()) {
                    Binding binding = BindingBuilder.bind(queue).to(exchange).with(Partitions.routingKey(type, partition));
                    declarables.add(binding);
                }
            }
        }
        return new Declarables(declarables);
    }

    private static QueueBuilder expiring(QueueBuilder queue, MessagingProperties settings) {
        Duration expires = settings.consumers().expires();
        return expires == null ? queue : queue.expires((int) expires.toMillis());
    }

    @Override
    public synchronized void start() {
        for (EventSubscription subscription : subscriptions) {
            for (int partition = 0; partition < settings.partitions(); partition++) {
                SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connections);
                container.setQueueNames(Partitions.queue(settings.exchange(), subscription.consumer(), partition));
                container.setConcurrentConsumers(1);
                container.setPrefetchCount(1);
                container.setAcknowledgeMode(AcknowledgeMode.AUTO);
                container.setDefaultRequeueRejected(true);
                container.setMissingQueuesFatal(false);
                container.setMessageListener(message -> deliver(subscription, message));
                container.afterPropertiesSet();
                container.start();
                containers.add(container);
            }
        }
        running = true;
    }

    private void deliver(EventSubscription subscription, Message message) {
        ReceivedEvent event = read(subscription, message);
        awaitReady(subscription, event);
        try {
            boolean acted = inbox.receive(subscription.consumer(), event, subscription.handler());
            count(subscription, event.type(), acted ? "handled" : "duplicate");
        }
        catch (Exception e) {
            count(subscription, event.type(), "failed");
            long deliveries = deliveries(message);
            log.warn("{} failed on {} {} (delivery {}): {}", subscription.consumer(), event.type(), event.id(),
                    deliveries + 1, e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            else {
                pause(deliveries);
            }
            throw new IllegalStateException(subscription.consumer() + " failed on " + event.type() + " " + event.id(), e);
        }
    }

    /** Holds the event, and its partition, until the application can act on it; stopping gives it back. */
    private void awaitReady(EventSubscription subscription, ReceivedEvent event) {
        boolean told = false;
        while (!subscription.ready().test(event)) {
            if (!told) {
                log.info("{} holds {} {} until it can act on it", subscription.consumer(), event.type(), event.id());
                told = true;
            }
            try {
                Thread.sleep(HOLD_POLL);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Stopped while holding " + event.type() + " " + event.id(), e);
            }
            if (!running) {
                throw new IllegalStateException("Stopped while holding " + event.type() + " " + event.id());
            }
        }
    }

    /** A message without an id, type or JSON body will never be acted on: straight to the dead letters. */
    private ReceivedEvent read(EventSubscription subscription, Message message) {
        var properties = message.getMessageProperties();
        try {
            UUID id = UUID.fromString(properties.getMessageId());
            String type = properties.getType();
            if (type == null || !subscription.types().contains(type)) {
                throw new IllegalArgumentException("type " + type + " is not one " + subscription.consumer() + " consumes");
            }
            JsonNode payload = json.readTree(new String(message.getBody(), StandardCharsets.UTF_8));
            Object version = properties.getHeaders().get(OutboxRelay.VERSION);
            Object key = properties.getHeaders().get(OutboxRelay.KEY);
            if (key == null) {
                throw new IllegalArgumentException("no " + OutboxRelay.KEY + " header");
            }
            return new ReceivedEvent(id, type, version instanceof Number number ? number.intValue() : 1,
                    key.toString(), payload, Map.copyOf(new HashMap<>(properties.getHeaders())));
        }
        catch (RuntimeException e) {
            count(subscription, String.valueOf(properties.getType()), "unreadable");
            log.error("{} cannot read message {}; it goes to {}: {}", subscription.consumer(),
                    properties.getMessageId(), Partitions.deadLetters(settings.exchange(), subscription.consumer()), e.toString());
            throw new AmqpRejectAndDontRequeueException("Unreadable message " + properties.getMessageId(), e);
        }
    }

    /** RabbitMQ counts a quorum queue message's earlier deliveries in this header. */
    private static long deliveries(Message message) {
        Object count = message.getMessageProperties().getHeaders().get("x-delivery-count");
        return count instanceof Number number ? number.longValue() : 0;
    }

    private void pause(long deliveries) {
        long millis = Math.min(50L << Math.min(deliveries, 16), settings.consumers().maxBackoff().toMillis());
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void count(EventSubscription subscription, String type, String outcome) {
        meters.counter("ficus.messaging.consumed", "consumer", subscription.consumer(), "type", type,
                "outcome", outcome).increment();
    }

    @Override
    public synchronized void stop() {
        running = false;
        containers.forEach(SimpleMessageListenerContainer::stop);
        containers.forEach(SimpleMessageListenerContainer::destroy);
        containers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
