package dev.ficus.toolkit.cache;

import java.util.Optional;

/**
 * A cache in front of a slower source: reads come from memory, a miss loads from the source once
 * however many callers miss the same key at the same time, and entries are evicted when the
 * source changes (by change data capture, or by {@link #evictAfterCommit} for the application's
 * own writes). Created by {@link Caches}. Optionally, a miss asks a second tier that every
 * instance shares (Redis) before the source.
 *
 * @param <K> key
 * @param <V> value; absence ({@code Optional.empty()}) may be cached too
 */
public interface CacheAside<K, V> {

    String name();

    /** The cached value, or the source's, loaded once per key and cached. */
    Optional<V> get(K key);

    void evict(K key);

    /**
     * Evicts once the current transaction commits, so the next read sees what it wrote; at once
     * when there is no transaction.
     */
    void evictAfterCommit(K key);

    /**
     * Empties this instance's cache. With a second tier, no instance reads what the second tier
     * held before either: it starts a new generation, for every cache.
     */
    void evictAll();

    /**
     * Evicts in every instance of the application: here once the current transaction commits, in
     * the others through the eviction channel, whose message PostgreSQL delivers when that
     * transaction commits (and never if it rolls back). For staleness no captured table shows (a
     * value computed from several sources, say); changes of captured tables are evicted
     * everywhere already. Without a change stream there is no channel: this instance only.
     */
    void evictEverywhere(K key);

    /** The type of the keys, which {@link Caches#find(String, Class)} checks. */
    Class<K> keyType();

    /**
     * Loads many entries in one go when the cache is configured to warm up
     * ({@code ficus.cache.caches.<name>.warm-up=true}).
     */
    @FunctionalInterface
    interface WarmUp<K, V> {

        /** At most {@code limit} entries, the ones most likely to be read. */
        java.util.Map<K, V> load(long limit);
    }
}
