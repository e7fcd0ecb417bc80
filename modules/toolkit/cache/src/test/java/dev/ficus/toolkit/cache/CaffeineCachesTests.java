package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CaffeineCachesTests {

    @Test
    void aConfiguredNameNoCodeCreatesIsFound() {
        var spec = new CacheProperties.Spec(true, 100, Duration.ofMinutes(10), 0.1, Duration.ZERO, Duration.ZERO, false,
                List.of(new CacheProperties.Invalidation("shop.products", List.of("id"), null)));
        var settings = new CacheProperties(Map.of("products", spec, "prodcuts-by-sku", spec), Duration.ofSeconds(5),
                new CacheProperties.EvictionChannel(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(10)));
        CaffeineCaches caches = new CaffeineCaches(settings, new SimpleMeterRegistry(), Runnable::run, null);
        caches.cacheAside("products", Long.class, id -> Optional.of("product " + id));
        caches.cacheAside("products-by-sku", String.class, sku -> Optional.of("product " + sku));

        assertThat(caches.configuredButNotCreated()).containsExactly("prodcuts-by-sku");
    }
}
