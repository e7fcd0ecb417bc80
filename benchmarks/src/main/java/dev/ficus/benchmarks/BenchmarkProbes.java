package dev.ficus.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.ConcurrentHistogram;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.ficus.toolkit.cdc.ChangeEvent;
import dev.ficus.toolkit.cdc.ChangeHandler;
import dev.ficus.toolkit.cdc.ChangeSubscription;

/** What the benchmarks add to the shop: a trivial endpoint, and a probe behind the cache evictions. */
@Configuration(proxyBeanMethods = false)
class BenchmarkProbes {

    /** The cheapest answer the application can give through the same web stack (registered as a member class). */
    @RestController
    static class Ping {

        private static final Map<String, Object> PONG = Map.of("pong", true);

        @GetMapping("/bench/ping")
        Map<String, Object> ping() {
            return PONG;
        }
    }

    /**
     * Runs after the cache eviction of the same change (subscribers are called in order, evictions
     * first), so commit-to-here is an upper bound of commit-to-eviction.
     */
    static class EvictionLag implements ChangeHandler {

        final ConcurrentHistogram micros = new ConcurrentHistogram(3);
        final AtomicLong seen = new AtomicLong();

        @Override
        public void handle(ChangeEvent change) {
            if (change.operation() == ChangeEvent.Operation.UPDATE) {
                micros.recordValue(Math.max(0, Duration.between(change.committedAt(), Instant.now()).toNanos() / 1_000));
                seen.incrementAndGet();
            }
        }

        void reset() {
            micros.reset();
            seen.set(0);
        }
    }

    @Bean
    EvictionLag evictionLag() {
        return new EvictionLag();
    }

    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    ChangeSubscription evictionLagProbe(EvictionLag lag) {
        return new ChangeSubscription("benchmark-eviction-lag", Set.of("catalog.products"), lag);
    }
}
