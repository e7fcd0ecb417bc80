package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A {@link CacheAside} on a Caffeine {@link LoadingCache}. Caffeine gives the guarantees that
 * matter: one load per key however many callers miss it at once, one background refresh per
 * key, and a load or refresh racing an eviction does not put the stale value back.
 */
class CaffeineCacheAside<K, V> implements CacheAside<K, V> {

    private final String name;
    private final Class<K> keyType;
    private final CacheProperties.Spec spec;
    private final Function<K, Optional<V>> source;
    private final WarmUp<K, V> warmUp;
    private final LoadingCache<K, Optional<V>> cache;
    private volatile boolean warm;
    /** Keys evicted while the warm-up read the source: its values for them may be stale. */
    private final Set<Object> evictedWhileWarming = ConcurrentHashMap.newKeySet();
    private volatile boolean clearedWhileWarming;

    CaffeineCacheAside(String name, Class<K> keyType, CacheProperties.Spec spec, Function<K, Optional<V>> source,
            WarmUp<K, V> warmUp, Executor refreshes, Ticker ticker) {
        this.name = name;
        this.keyType = keyType;
        this.spec = spec;
        this.source = source;
        this.warmUp = warmUp;
        this.warm = !(spec.enabled() && spec.warmUp() && warmUp != null);
        Caffeine<K, Optional<V>> builder = Caffeine.newBuilder()
                .maximumSize(spec.maximumSize())
                .executor(refreshes)
                .ticker(ticker)
                .recordStats()
                .expireAfter(new JitteredExpiry<K, V>(spec.ttl(), spec.ttlJitter(), spec.negativeTtl()));
        if (spec.refreshAfter().isPositive()) {
            builder.refreshAfterWrite(spec.refreshAfter());
        }
        this.cache = builder.build(source::apply);
    }

    @Override
    public String name() {
        return name;
    }

    Class<K> keyType() {
        return keyType;
    }

    LoadingCache<K, Optional<V>> caffeine() {
        return cache;
    }

    boolean warm() {
        return warm;
    }

    @Override
    public Optional<V> get(K key) {
        return spec.enabled() ? cache.get(key) : source.apply(key);
    }

    @Override
    public void evict(K key) {
        if (!warm) {
            evictedWhileWarming.add(key);
        }
        cache.invalidate(key);
    }

    @Override
    public void evictAfterCommit(K key) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    evict(key);
                }
            });
        }
        else {
            evict(key);
        }
    }

    @Override
    public void evictAll() {
        if (!warm) {
            clearedWhileWarming = true;
        }
        cache.invalidateAll();
    }

    /** Loads the warm-up entries, if this cache warms up; afterwards it counts as warm. */
    void warmUp() {
        if (!warm) {
            Map<K, V> entries = warmUp.load(spec.maximumSize());
            if (!clearedWhileWarming) {
                entries.forEach((key, value) -> {
                    if (!evictedWhileWarming.contains(key)) {
                        cache.asMap().putIfAbsent(key, Optional.of(value));
                    }
                });
            }
            warm = true;
            evictedWhileWarming.clear();
        }
    }

    /**
     * Each entry lives {@code ttl} give or take {@code jitter}; "not found" lives {@code negativeTtl}.
     * A refresh starts a new lifetime.
     */
    record JitteredExpiry<K, V>(Duration ttl, double jitter, Duration negativeTtl) implements Expiry<K, Optional<V>> {

        @Override
        public long expireAfterCreate(K key, Optional<V> value, long currentTime) {
            if (value.isEmpty()) {
                return negativeTtl.toNanos();
            }
            double spread = jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
            return (long) (ttl.toNanos() * (1 + spread));
        }

        @Override
        public long expireAfterUpdate(K key, Optional<V> value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(K key, Optional<V> value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
