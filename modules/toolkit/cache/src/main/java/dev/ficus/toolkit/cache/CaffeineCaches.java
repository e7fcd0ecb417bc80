package dev.ficus.toolkit.cache;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/** The application's caches, each created once and measured. */
class CaffeineCaches implements Caches {

    private final CacheProperties properties;
    private final MeterRegistry meters;
    private final Executor refreshes;
    private final ConcurrentMap<String, CaffeineCacheAside<?, ?>> caches = new ConcurrentHashMap<>();

    CaffeineCaches(CacheProperties properties, MeterRegistry meters, Executor refreshes) {
        this.properties = properties;
        this.meters = meters;
        this.refreshes = refreshes;
    }

    @Override
    public <K, V> CacheAside<K, V> cacheAside(String name, Class<K> keyType, Function<K, Optional<V>> source) {
        return cacheAside(name, keyType, source, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> CacheAside<K, V> cacheAside(String name, Class<K> keyType, Function<K, Optional<V>> source,
            CacheAside.WarmUp<K, V> warmUp) {
        return (CacheAside<K, V>) caches.computeIfAbsent(name, created -> {
            var cache = new CaffeineCacheAside<>(name, keyType, properties.specOf(name), source, warmUp, refreshes,
                    Ticker.systemTicker());
            CaffeineCacheMetrics.monitor(meters, cache.caffeine(), name);
            return cache;
        });
    }

    @Override
    public Optional<CacheAside<?, ?>> find(String name) {
        return Optional.ofNullable(caches.get(name));
    }

    @Override
    public Collection<CacheAside<?, ?>> all() {
        return List.copyOf(caches.values());
    }

    Collection<CaffeineCacheAside<?, ?>> caffeineCaches() {
        return List.copyOf(caches.values());
    }

    CacheProperties properties() {
        return properties;
    }
}
