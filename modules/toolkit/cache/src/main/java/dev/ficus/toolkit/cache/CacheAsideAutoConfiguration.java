package dev.ficus.toolkit.cache;

import java.util.concurrent.Executors;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeSubscription;

/** Cache-aside for the application ({@link Caches}), kept correct by change data capture if present. */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnClass(Caffeine.class)
@EnableConfigurationProperties(CacheProperties.class)
public class CacheAsideAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(CacheAsideAutoConfiguration.class);

    @Bean
    CaffeineCaches caches(CacheProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
        return new CaffeineCaches(properties, meterRegistry.getIfAvailable(() -> Metrics.globalRegistry),
                Executors.newVirtualThreadPerTaskExecutor());
    }

    @Bean
    CachesHealthIndicator cachesHealthIndicator(CaffeineCaches caches, ObjectProvider<EvictionBroadcast> broadcast) {
        return new CachesHealthIndicator(caches, broadcast.getIfAvailable());
    }

    /** Warms the caches configured to, off the start-up path; readiness waits for them. */
    @EventListener
    void warmUp(ApplicationStartedEvent started) {
        CaffeineCaches caches = started.getApplicationContext().getBean(CaffeineCaches.class);
        Thread.ofVirtual().name("ficus-cache-warm-up").start(() -> caches.caffeineCaches().forEach(cache -> {
            try {
                cache.warmUp();
            }
            catch (RuntimeException e) {
                log.error("Could not warm up cache {}; the instance stays unready", cache.name(), e);
            }
        }));
    }

    /** With a change stream (which implies a PostgreSQL database), caches are invalidated by it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ChangeSubscription.class)
    static class ChangeDataCaptureInvalidation {

        @Bean
        EvictionBroadcast cacheEvictionBroadcast(DataSource dataSource, JdbcConnectionDetails connection,
                CaffeineCaches caches) {
            return new EvictionBroadcast(JdbcClient.create(dataSource), connection.getJdbcUrl(),
                    connection.getUsername(), connection.getPassword(),
                    () -> caches.caffeineCaches().forEach(CaffeineCacheAside::evictAll));
        }

        /** Evictions go first among the subscribers: stale reads end before slower work starts. */
        @Bean
        @Order(0)
        ChangeSubscription cacheInvalidation(CaffeineCaches caches, EvictionBroadcast broadcast) {
            CacheInvalidation invalidation = new CacheInvalidation(caches, broadcast);
            broadcast.receiveWith(invalidation::apply);
            return new ChangeSubscription("cache-invalidation", invalidation.tables(), invalidation);
        }
    }
}
