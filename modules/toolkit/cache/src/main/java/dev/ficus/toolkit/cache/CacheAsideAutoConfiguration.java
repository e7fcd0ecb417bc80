package dev.ficus.toolkit.cache;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.util.function.SingletonSupplier;

import dev.ficus.toolkit.cdc.ChangeStream;
import dev.ficus.toolkit.cdc.ChangeStreamProperties;
import dev.ficus.toolkit.cdc.ConditionalOnChangeDataCapture;
import dev.ficus.toolkit.cdc.PostgresDatabase;
import dev.ficus.toolkit.cdc.ChangeSubscription;

/**
 * Cache-aside for the application ({@link Caches}), kept correct by change data capture if
 * present; with a second tier in Redis if the application has Redis and switches it on.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
        afterName = {"dev.ficus.toolkit.cdc.ChangeStreamAutoConfiguration",
                "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration"})
@ConditionalOnClass(Caffeine.class)
@EnableConfigurationProperties(CacheProperties.class)
public class CacheAsideAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(Caches.class)
    CaffeineCaches caches(CacheProperties properties, ObjectProvider<MeterRegistry> meterRegistry,
            ObjectProvider<Freshness> freshness, ObjectProvider<SharedTier> secondTier) {
        return new CaffeineCaches(properties, meterRegistry.getIfAvailable(() -> Metrics.globalRegistry),
                threadPerTask("ficus-cache-refresh-"), freshness.getIfAvailable(),
                secondTier.getIfAvailable(() -> SharedTier.NONE));
    }

    /**
     * Where the caches refresh ahead and do their upkeep: a virtual thread per task on Java 21 and
     * newer (a refresh may wait on the database), else Caffeine's default, the common pool.
     */
    private static Executor threadPerTask(String prefix) {
        if (Runtime.version().feature() < 21) {
            return ForkJoinPool.commonPool();
        }
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor(prefix);
        executor.setVirtualThreads(true);
        return executor;
    }

    @Bean
    @ConditionalOnBean(CaffeineCaches.class)
    @ConditionalOnMissingBean
    CachesHealthIndicator cachesHealthIndicator(CaffeineCaches caches, ObjectProvider<EvictionBroadcast> broadcast) {
        return new CachesHealthIndicator(caches, broadcast.getIfAvailable());
    }

    /**
     * Once the application has created its caches: says which configured names no code uses, and
     * warms up the caches configured to, off the start-up path (readiness waits for them).
     */
    @EventListener
    void started(ApplicationStartedEvent started) {
        started.getApplicationContext().getBeanProvider(CaffeineCaches.class).ifAvailable(caches -> {
            caches.configuredButNotCreated();
            caches.warmUp();
        });
    }

    /**
     * With a change stream (which implies a PostgreSQL database), caches are invalidated by it,
     * and kept within {@code max-staleness} of the database or bypassed.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ChangeSubscription.class)
    @ConditionalOnChangeDataCapture
    @ConditionalOnMissingBean(Caches.class)
    static class ChangeDataCaptureInvalidation {

        @Bean
        @ConditionalOnMissingBean
        Freshness cacheFreshness(CacheProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
            Freshness freshness = new Freshness(properties.maxStaleness(), Clock.systemUTC());
            Gauge.builder("ficus.cache.knowledge.age", freshness,
                            known -> known.age().map(age -> age.toMillis() / 1000.0).orElse(Double.NaN))
                    .description("Now minus the commit time of the latest stream position this instance heard: "
                            + "how far behind the database its caches may be")
                    .baseUnit("seconds")
                    .register(meterRegistry.getIfAvailable(() -> Metrics.globalRegistry));
            return freshness;
        }

        @Bean
        @ConditionalOnMissingBean
        EvictionBroadcast cacheEvictionBroadcast(DataSource dataSource, ObjectProvider<JdbcConnectionDetails> connection,
                CaffeineCaches caches, CacheProperties properties, Freshness freshness,
                ObjectProvider<ChangeStream> stream, ObjectProvider<ChangeStreamProperties> streamProperties,
                ObjectProvider<MeterRegistry> meterRegistry, Environment environment) {
            PostgresDatabase database = PostgresDatabase.of(connection.getIfAvailable(), dataSource);
            return new EvictionBroadcast(streamName(streamProperties, environment), dataSource, database.jdbcUrl(),
                    database.user(), database.password(), properties.evictionChannel(), freshness,
                    () -> streaming(stream.getIfAvailable()), caches::evictAll, caches.secondTier(),
                    meterRegistry.getIfAvailable(() -> Metrics.globalRegistry));
        }

        /** Evictions go first among the subscribers: stale reads end before slower work starts. */
        @Bean
        @ConditionalOnMissingBean(name = "ficusCacheInvalidation")
        @Order(0)
        ChangeSubscription ficusCacheInvalidation(CaffeineCaches caches, EvictionBroadcast broadcast,
                DataSource dataSource, ObjectProvider<MeterRegistry> meterRegistry) {
            CacheInvalidation invalidation = new CacheInvalidation(caches, broadcast,
                    new NamedParameterJdbcTemplate(dataSource),
                    meterRegistry.getIfAvailable(() -> Metrics.globalRegistry));
            broadcast.receiveWith(eviction -> invalidation.apply(eviction, CaffeineCacheAside.Invalidated.BROADCAST));
            broadcast.receiveDirectWith(invalidation::applyDirect);
            caches.broadcastWith(broadcast::publishDirect);
            return new ChangeSubscription("cache-invalidation", invalidation.tables(), invalidation);
        }

        /** The change stream's name, whose evictions (and second tier) the instances share. */
        static String streamName(ObjectProvider<ChangeStreamProperties> streamProperties, Environment environment) {
            return streamProperties.getIfAvailable(() -> Binder.get(environment)
                    .bindOrCreate("ficus.cdc", ChangeStreamProperties.class)).name();
        }

        /** How current this instance's own stream is, while it is the one streaming. */
        private static Optional<Instant> streaming(ChangeStream stream) {
            if (stream == null || stream.state() != ChangeStream.State.STREAMING) {
                return Optional.empty();
            }
            return stream.currentAsOf();
        }
    }

    /**
     * The second tier in Redis, when switched on, for an application with a Redis connection and a
     * change stream (only the stream sees every change that must invalidate a tier every instance
     * shares). The connection is looked up when the tier is made, not by a condition, so that the
     * order in which configurations are read does not matter. Its namespace names the database the
     * stream reads, so that applications sharing a Redis and a stream name do not share entries.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.data.redis.connection.ReactiveRedisConnectionFactory",
            "dev.ficus.toolkit.cdc.ChangeSubscription"})
    @ConditionalOnBooleanProperty("ficus.cache.second-tier.enabled")
    @ConditionalOnChangeDataCapture
    @ConditionalOnMissingBean(Caches.class)
    static class SecondTierInRedis {

        @Bean
        @ConditionalOnMissingBean(SharedTier.class)
        SharedTier cacheSecondTier(ObjectProvider<ReactiveRedisConnectionFactory> redis, CacheProperties properties,
                DataSource dataSource, ObjectProvider<JdbcConnectionDetails> connection,
                ObjectProvider<ChangeStream> stream, ObjectProvider<ChangeStreamProperties> streamProperties,
                ObjectProvider<MeterRegistry> meterRegistry, Environment environment) {
            ReactiveRedisConnectionFactory connections = redis.getIfUnique();
            if (connections == null) {
                return SharedTier.NONE;
            }
            SingletonSupplier<ChangeStream> changes = SingletonSupplier.of(stream::getIfAvailable);
            return new RedisTier(connections, properties.secondTier(),
                    ChangeDataCaptureInvalidation.streamName(streamProperties, environment),
                    DatabaseIdentity.of(dataSource,
                            () -> PostgresDatabase.of(connection.getIfAvailable(), dataSource).jdbcUrl()),
                    () -> changes.get() != null && changes.get().state() == ChangeStream.State.STREAMING,
                    meterRegistry.getIfAvailable(() -> Metrics.globalRegistry));
        }
    }

}
