package dev.ficus.toolkit.cache;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * OUT_OF_SERVICE until every cache configured to warm up is warm (part of readiness); the details
 * say why one waits. A cache that cannot be shown within {@code max-staleness} of the database is
 * bypassed, not a reason to take the instance out of service: reads then come from the database,
 * which is the truth. The details show how old this instance's knowledge is and why it bypasses,
 * and the second tier's epoch, or why it is not used.
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
            Map<String, Object> cacheDetails = new LinkedHashMap<>();
            cacheDetails.put("size", cache.caffeine().estimatedSize());
            cacheDetails.put("hitRatio", stats.hitRate());
            cacheDetails.put("warm", cache.warm());
            cache.warmUpState().ifPresent(state -> cacheDetails.put("warmUp", state));
            cache.warmedUpFrom().ifPresent(from -> cacheDetails.put("warmedUpFrom", from));
            cacheDetails.put("secondTier", cache.secondTier().active());
            cacheDetails.put("bypassed", !cache.current());
            details.put(cache.name(), cacheDetails);
            warm &= cache.warm();
        }
        caches.freshness().ifPresent(freshness -> {
            Map<String, Object> knowledge = new LinkedHashMap<>();
            knowledge.put("maxStaleness", freshness.maxStaleness().toString());
            freshness.age().ifPresentOrElse(age -> knowledge.put("ageMillis", age.toMillis()),
                    () -> knowledge.put("ageMillis", null));
            knowledge.put("current", freshness.current());
            if (!freshness.current()) {
                knowledge.put("why", whyNotCurrent(freshness));
            }
            details.put("freshness", knowledge);
        });
        if (broadcast != null) {
            details.put("evictionChannel", broadcast.listening() ? "listening" : "disconnected");
        }
        Map<String, Object> secondTier = caches.secondTier().state();
        if (!secondTier.isEmpty()) {
            details.put("secondTier", secondTier);
        }
        return (warm ? Health.up() : Health.outOfService()).withDetails(details).build();
    }

    private String whyNotCurrent(Freshness freshness) {
        if (broadcast != null && !broadcast.listening()) {
            return "not listening to the eviction channel: caches invalidated by change data capture are bypassed";
        }
        if (freshness.age().isEmpty()) {
            return "no word yet from an instance that streams changes since listening began (none streams, or one "
                    + "is taking over): caches invalidated by change data capture are bypassed";
        }
        return "the streaming instance last reported a position older than max-staleness (the stream lags, stalls or "
                + "is taking over, or its messages do not arrive): caches invalidated by change data capture are bypassed";
    }
}
