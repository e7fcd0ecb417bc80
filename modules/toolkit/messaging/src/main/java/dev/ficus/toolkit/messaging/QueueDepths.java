package dev.ficus.toolkit.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The messages waiting in each of the application's queues, as gauges: per partition of each
 * consumer ({@code ficus.messaging.queue.depth}), its dead letters ({@code ficus.messaging.dead.letters})
 * and what no queue took ({@code ficus.messaging.unrouted}). Asked of the broker in the
 * background, so a scrape never waits for a broker that is down; a queue that could not be asked
 * reads NaN.
 */
final class QueueDepths implements MeterBinder, SmartLifecycle {

    static final Duration REFRESH = Duration.ofSeconds(10);

    private final RabbitAdmin admin;
    private final List<String> consumers;
    private final MessagingProperties settings;
    private final Map<String, Double> depths = new ConcurrentHashMap<>();
    private ScheduledExecutorService refresher;

    QueueDepths(ConnectionFactory connections, List<EventSubscription> subscriptions, MessagingProperties settings) {
        this.admin = new RabbitAdmin(connections);
        this.consumers = subscriptions.stream().map(EventSubscription::consumer).distinct().toList();
        this.settings = settings;
    }

    /** Once every bean is there: the first question connects, and connecting declares the application's broker objects. */
    @Override
    public synchronized void start() {
        if (refresher == null) {
            CustomizableThreadFactory threads = new CustomizableThreadFactory("ficus-queue-depths-");
            threads.setDaemon(true);
            refresher = Executors.newSingleThreadScheduledExecutor(threads);
            refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return refresher != null;
    }

    @Override
    public void bindTo(MeterRegistry meters) {
        for (String consumer : consumers) {
            for (int partition = 0; partition < settings.partitions(); partition++) {
                String queue = Partitions.queue(settings.exchange(), consumer, partition);
                Gauge.builder("ficus.messaging.queue.depth", depths, known -> known.getOrDefault(queue, Double.NaN))
                        .description("Messages waiting in a consumer's partition queue")
                        .tag("consumer", consumer).tag("queue", queue).register(meters);
            }
            String deadLetters = Partitions.deadLetters(settings.exchange(), consumer);
            Gauge.builder("ficus.messaging.dead.letters", depths, known -> known.getOrDefault(deadLetters, Double.NaN))
                    .description("Messages a consumer gave up on, waiting for a replay")
                    .tag("consumer", consumer).register(meters);
        }
        String unrouted = Partitions.unrouted(settings.exchange());
        Gauge.builder("ficus.messaging.unrouted", depths, known -> known.getOrDefault(unrouted, Double.NaN))
                .description("Messages no consumer's queue took, kept to be published again")
                .tag("exchange", settings.exchange()).register(meters);
    }

    void refresh() {
        for (String consumer : consumers) {
            for (int partition = 0; partition < settings.partitions(); partition++) {
                ask(Partitions.queue(settings.exchange(), consumer, partition));
            }
            ask(Partitions.deadLetters(settings.exchange(), consumer));
        }
        ask(Partitions.unrouted(settings.exchange()));
    }

    private void ask(String queue) {
        try {
            QueueInformation information = admin.getQueueInfo(queue);
            depths.put(queue, information == null ? Double.NaN : information.getMessageCount());
        }
        catch (RuntimeException e) {
            depths.put(queue, Double.NaN);
        }
    }
}
