package dev.ficus.toolkit.cache;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * OUT_OF_SERVICE until every cache configured to warm up is warm, and while this instance cannot
 * hear the evictions of the instance that streams changes; part of readiness.
 */
class CachesHealthIndicator implements HealthIndicator {

    private final CaffeineCaches caches;
    private final EvictionBroadcast broadcast;

    CachesHealthIndicator(CaffeineCaches caches, EvictionBroadcast broadcast) {
        this.caches = caches;
        this.broadcast = broadcast;
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean warm = true;
        for (CaffeineCacheAside<?, ?> cache : caches.caffeineCaches()) {
            var stats = cache.caffeine().stats();
            details.put(cache.name(), Map.of(
                    "size", cache.caffeine().estimatedSize(),
                    "hitRatio", stats.hitRate(),
                    "warm", cache.warm()));
            warm &= cache.warm();
        }
        boolean hearsEvictions = broadcast == null || broadcast.listening();
        if (broadcast != null) {
            details.put("evictionChannel", hearsEvictions ? "listening" : "disconnected");
        }
        return (warm && hearsEvictions ? Health.up() : Health.outOfService()).withDetails(details).build();
    }
}
