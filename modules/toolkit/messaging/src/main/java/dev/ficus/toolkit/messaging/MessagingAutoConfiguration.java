package dev.ficus.toolkit.messaging;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.ficus.toolkit.cdc.PostgresDatabase;
import dev.ficus.toolkit.routing.Routers;

/**
 * The outbox and its relay, the consumers of {@link EventSubscription} beans, their dead letters,
 * and {@code /actuator/messaging}: for an application with a PostgreSQL database and RabbitMQ.
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, RabbitAutoConfiguration.class},
        afterName = {"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
                "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
                "dev.ficus.toolkit.routing.RoutingAutoConfiguration"})
@ConditionalOnClass(RabbitTemplate.class)
@ConditionalOnBean({DataSource.class, ConnectionFactory.class})
@EnableConfigurationProperties(MessagingProperties.class)
public class MessagingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Outbox outbox(DataSource dataSource, ObjectProvider<JsonMapper> json, MessagingProperties settings,
            ObjectProvider<OutboxTraceContext> traceContext) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        MessagingTables.ensure(jdbc, settings.schema());
        return new JdbcOutbox(jdbc, json(json), settings.schema(),
                traceContext.getIfAvailable(() -> new OutboxTraceContext(headers -> { })));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "ficus.messaging.relay.enabled", matchIfMissing = true)
    RelayStream outboxRelay(Outbox outbox, MessagingProperties settings, ConnectionFactory connections,
            ObjectProvider<JdbcConnectionDetails> connection, DataSource dataSource, ObjectProvider<JsonMapper> json,
            ObjectProvider<MeterRegistry> meters) {
        if (!connections.isPublisherConfirms()) {
            throw new IllegalStateException("The outbox relay waits for the broker's confirms: set "
                    + "spring.rabbitmq.publisher-confirm-type=correlated (or ficus.messaging.relay.enabled=false)");
        }
        RabbitTemplate rabbit = new RabbitTemplate(connections);
        // A connection of its own: a publisher the broker throttles never holds up the consumers' acks.
        rabbit.setUsePublisherConnection(true);
        MeterRegistry registry = registry(meters);
        OutboxRelay relay = new OutboxRelay(rabbit, JdbcClient.create(dataSource), json(json),
                settings, registry);
        return new RelayStream(settings, PostgresDatabase.of(connection.getIfAvailable(), dataSource), dataSource,
                relay, registry);
    }

    /** By name: an application's own {@code Declarables} beans stand beside it. */
    @Bean
    @ConditionalOnMissingBean(name = "ficusMessagingTopology")
    static Declarables ficusMessagingTopology(ObjectProvider<EventSubscription> subscriptions,
            MessagingProperties settings) {
        return EventConsumers.topology(subscriptions.orderedStream().toList(), settings);
    }

    @Bean
    @ConditionalOnMissingBean
    EventConsumers eventConsumers(ConnectionFactory connections, List<EventSubscription> subscriptions,
            MessagingProperties settings, DataSource dataSource, PlatformTransactionManager transactions,
            ObjectProvider<JsonMapper> json, ObjectProvider<MeterRegistry> meters, Outbox outbox) {
        // The outbox bean created the inbox table too: it comes first.
        Inbox inbox = new Inbox(JdbcClient.create(dataSource), new TransactionTemplate(transactions), settings.schema());
        return new EventConsumers(connections, subscriptions, settings, inbox, json(json),
                registry(meters));
    }

    @Bean
    @ConditionalOnMissingBean
    EventDeadLetters eventDeadLetters(ConnectionFactory connections, List<EventSubscription> subscriptions,
            MessagingProperties settings) {
        return new RabbitDeadLetters(connections, subscriptions, settings.exchange());
    }

    @Bean
    @ConditionalOnMissingBean
    QueueDepths messagingQueueDepths(ConnectionFactory connections, List<EventSubscription> subscriptions,
            MessagingProperties settings) {
        return new QueueDepths(connections, subscriptions, settings);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    MessagingEndpoint messagingEndpoint(EventDeadLetters deadLetters, ObjectProvider<RelayStream> relay,
            ObjectProvider<EventRoutes> routes) {
        return new MessagingEndpoint(deadLetters, relay.getIfAvailable(), routes.getIfAvailable());
    }

    /** Event routes, for the capabilities named in {@code ficus.messaging.routed-capabilities}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Routers.class)
    @Conditional(OnRoutedCapabilities.class)
    static class Routes {

        @Bean
        @ConditionalOnMissingBean
        JdbcEventRoutes eventRoutes(DataSource dataSource, PlatformTransactionManager transactions,
                ObjectProvider<Routers> routers, Outbox outbox, MessagingProperties settings,
                ObjectProvider<MeterRegistry> meters) {
            Routers flags = routers.getIfAvailable(() -> {
                throw new IllegalStateException("ficus.messaging.routed-capabilities " + settings.routedCapabilities()
                        + " follow routing flags: add ficus-toolkit-routing and configure ficus.routing");
            });
            return new JdbcEventRoutes(JdbcClient.create(dataSource), new TransactionTemplate(transactions), flags,
                    outbox, settings.routedCapabilities(), settings.schema(),
                    registry(meters));
        }

        @Bean
        @ConditionalOnMissingBean
        EventRouteFollower eventRouteFollower(JdbcEventRoutes routes, MessagingProperties settings) {
            return new EventRouteFollower(routes, settings.routeInterval());
        }
    }

    /**
     * With Micrometer Tracing, an event carries the trace context of the transaction that wrote it.
     * The tracer is looked up as events are written, not at start: whether the tracing
     * auto-configuration ran before this one does not matter.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Tracer.class)
    static class Tracing {

        @Bean
        @ConditionalOnMissingBean
        OutboxTraceContext outboxTraceContext(ObjectProvider<Tracer> tracers, ObjectProvider<Propagator> propagators) {
            return new OutboxTraceContext(headers -> {
                Tracer tracer = tracers.getIfUnique();
                Propagator propagator = propagators.getIfUnique();
                var context = tracer == null ? null : tracer.currentTraceContext().context();
                if (context != null && propagator != null) {
                    propagator.inject(context, headers, Map::put);
                }
            });
        }
    }

    private static JsonMapper json(ObjectProvider<JsonMapper> json) {
        return json.getIfAvailable(JsonMapper::new);
    }

    private static MeterRegistry registry(ObjectProvider<MeterRegistry> meters) {
        return meters.getIfAvailable(() -> Metrics.globalRegistry);
    }

    /** Adds the current trace context to an event's headers. */
    record OutboxTraceContext(Consumer<Map<String, String>> addTo) {
    }
}
