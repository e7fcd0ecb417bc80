package dev.ficus.toolkit.cache;

import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;

/**
 * Creates and finds the application's caches. Each cache is configured under
 * {@code ficus.cache.caches.<name>}; unconfigured caches get the defaults.
 */
public interface Caches {

    /**
     * Creates a cache (once per name).
     *
     * @param keyType used to turn the key columns of changed rows into keys when the cache is
     *                invalidated by change data capture: a single column is converted to this type;
     *                several columns fill the components of a record type, in order
     * @param source  reads a value from the source of truth
     */
    default <K, V> CacheAside<K, V> cacheAside(String name, Class<K> keyType, Function<K, Optional<V>> source) {
        return cacheAside(name, keyType, source, null);
    }

    /**
     * As above, and warmed up with {@code warmUp} (null for none) before the instance reports
     * ready, if so configured.
     */
    <K, V> CacheAside<K, V> cacheAside(String name, Class<K> keyType, Function<K, Optional<V>> source,
            CacheAside.WarmUp<K, V> warmUp);

    /**
     * As above, with the class of the values: the second tier
     * ({@code ficus.cache.second-tier}) keeps them as JSON and reads them back as this class.
     * Without it, {@code ficus.cache.caches.<name>.value-type} may name it; a cache whose value
     * type is known neither way stays out of the second tier.
     */
    default <K, V> CacheAside<K, V> cacheAside(String name, Class<K> keyType, Class<V> valueType,
            Function<K, Optional<V>> source, CacheAside.WarmUp<K, V> warmUp) {
        return cacheAside(name, keyType, source, warmUp);
    }

    Optional<CacheAside<?, ?>> find(String name);

    /**
     * The cache of that name, typed by its key (a custom change subscription that evicts, say).
     *
     * @throws IllegalArgumentException if the cache was created with another key type
     */
    @SuppressWarnings("unchecked")
    default <K> Optional<CacheAside<K, ?>> find(String name, Class<K> keyType) {
        return find(name).map(cache -> {
            if (!cache.keyType().equals(keyType)) {
                throw new IllegalArgumentException("Cache " + name + " has keys of " + cache.keyType().getName()
                        + ", not " + keyType.getName());
            }
            return (CacheAside<K, ?>) cache;
        });
    }

    Collection<CacheAside<?, ?>> all();

    /**
     * Caches that keep nothing and need nothing: every read goes to the source. For tests that
     * start a slice of the application ({@code @WebMvcTest}, say) without a database or change
     * data capture: {@code @TestConfiguration class Config { @Bean Caches caches() { return Caches.passThrough(); } }}.
     */
    static Caches passThrough() {
        return new PassThroughCaches();
    }
}
