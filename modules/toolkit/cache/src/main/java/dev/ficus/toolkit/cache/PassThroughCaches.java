package dev.ficus.toolkit.cache;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** Caches that keep nothing: every read goes to the source. See {@link Caches#passThrough()}. */
final class PassThroughCaches implements Caches {

    private final Map<String, CacheAside<?, ?>> caches = new ConcurrentHashMap<>();

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> CacheAside<K, V> cacheAside(String name, Class<K> keyType, Function<K, Optional<V>> source,
            CacheAside.WarmUp<K, V> warmUp) {
        return (CacheAside<K, V>) caches.computeIfAbsent(name, created -> new PassThrough<>(name, keyType, source));
    }

    @Override
    public Optional<CacheAside<?, ?>> find(String name) {
        return Optional.ofNullable(caches.get(name));
    }

    @Override
    public Collection<CacheAside<?, ?>> all() {
        return List.copyOf(caches.values());
    }

    private record PassThrough<K, V>(String name, Class<K> keyType, Function<K, Optional<V>> source) implements CacheAside<K, V> {

        @Override
        public Optional<V> get(K key) {
            return source.apply(key);
        }

        @Override
        public void evict(K key) {
        }

        @Override
        public void evictAfterCommit(K key) {
        }

        @Override
        public void evictAll() {
        }

        @Override
        public void evictEverywhere(K key) {
        }
    }
}
