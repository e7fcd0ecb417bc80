package dev.ficus.toolkit.cache;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A second tier under the in-process caches, shared by every instance of the application. Which
 * generation of its entries may be read (the epoch) is decided by the instance that streams
 * changes, which invalidates the tier before it tells the other instances, and announces the
 * epoch with every numbered message on the eviction channel: an instance uses the tier only with
 * the epoch it last heard, and not at all until it heard one. The announcement also names the
 * namespace the epoch belongs to and the caches the streaming instance invalidates there: an
 * instance uses the tier for a cache only if it is in the same namespace and that cache is
 * invalidated there, with keys of the same shape.
 */
interface SharedTier {

    /** No second tier: every miss of the first goes to the source. */
    SharedTier NONE = new SharedTier() {

        @Override
        public <K, V> ForCache<K, V> forCache(String name, Class<K> keyType, Class<V> valueType,
                CacheProperties.Spec spec) {
            return ForCache.none();
        }

        @Override
        public void invalidate(List<Stale> stale, Consumer<Epoch> then) {
            then.accept(null);
        }

        @Override
        public void announce(BiConsumer<Epoch, List<String>> send) {
            send.accept(null, List.of());
        }

        @Override
        public Map<String, Object> state() {
            return Map.of();
        }
    };

    /** The tier's part for one cache; {@link ForCache#none()} if it keeps nothing there. */
    <K, V> ForCache<K, V> forCache(String name, Class<K> keyType, Class<V> valueType, CacheProperties.Spec spec);

    /** This instance starts streaming changes (a new term): it starts a new epoch. */
    default void lead() {
    }

    /**
     * On the streaming instance: invalidates what a batch of changes made stale, then calls
     * {@code then} with the epoch to announce along with the batch's evictions (null: do not use
     * the tier). No other epoch is announced meanwhile.
     *
     * @param stale the entries to invalidate, of caches that have a second tier
     */
    void invalidate(List<Stale> stale, Consumer<Epoch> then);

    /**
     * On the streaming instance, with each heartbeat: checks the epoch (starting a new one if
     * something went wrong, or adopting a newer one another instance started) and sends it, with
     * the caches every instance is to empty first (when the tier was found restarted or replaced,
     * it may have served entries older than their invalidation; usually none).
     */
    void announce(BiConsumer<Epoch, List<String>> send);

    /** On any instance, with each heartbeat: does what is pending (a new epoch this instance needs). */
    default void maintain() {
    }

    /** The streaming instance announced {@code epoch} (null: do not use the tier). */
    default void heard(Epoch epoch) {
    }

    /** This instance listens anew and may have missed announcements: the tier waits for the next. */
    default void forget() {
    }

    /** For health: the epoch in use, and why the tier is not used if it is not. */
    Map<String, Object> state();

    /**
     * What the streaming instance announces: the epoch to use, the namespace it belongs to (which
     * names the database, see {@link RedisTier}), and the caches it invalidates there, each with
     * the shape of its keys (an instance whose key of a cache has another shape would write
     * entries that the streaming instance's tombstones never hit).
     *
     * @param namespace what the Redis keys start with, up to the cache's name
     * @param number    the epoch
     * @param caches    cache name to the shape of its keys
     */
    record Epoch(String namespace, long number, Map<String, String> caches) {

        public Epoch {
            caches = caches == null ? Map.of() : caches;
        }
    }

    /** An entry made stale, or (with a null key) every entry of the cache. */
    record Stale(ForCache<?, ?> cache, Object key) {
    }

    /** Where a warm-up took its entries from. */
    record WarmedUp<K, V>(Map<K, V> entries, String from) {

        static final String SECOND_TIER = "second-tier";
        static final String SOURCE = "source";
    }

    /** One cache's entries in the second tier. */
    interface ForCache<K, V> {

        /** Keeps nothing: reads go to the source. */
        @SuppressWarnings("unchecked")
        static <K, V> ForCache<K, V> none() {
            return (ForCache<K, V>) NoSecondTier.INSTANCE;
        }

        /** Whether the cache has a second tier at all. */
        boolean active();

        /**
         * The value from the second tier, or else from the source (and then kept in the second
         * tier, unless it changed meanwhile). Never fails because of the second tier.
         */
        Optional<V> load(K key, Function<K, Optional<V>> source);

        /** This instance evicts the key: the second tier forgets it too before the first tier does. */
        void invalidate(K key);

        /** This instance empties the cache: the second tier's entries are not read any more. */
        void invalidateAll();

        /**
         * The entries to warm up with: from the second tier if another instance filled it, else
         * from the source (and then put into the second tier).
         */
        WarmedUp<K, V> warmUp(long limit, CacheAside.WarmUp<K, V> source);
    }

    /** See {@link ForCache#none()}. */
    final class NoSecondTier implements ForCache<Object, Object> {

        static final NoSecondTier INSTANCE = new NoSecondTier();

        private NoSecondTier() {
        }

        @Override
        public boolean active() {
            return false;
        }

        @Override
        public Optional<Object> load(Object key, Function<Object, Optional<Object>> source) {
            return source.apply(key);
        }

        @Override
        public void invalidate(Object key) {
        }

        @Override
        public void invalidateAll() {
        }

        @Override
        public WarmedUp<Object, Object> warmUp(long limit, CacheAside.WarmUp<Object, Object> source) {
            return new WarmedUp<>(source.load(limit), WarmedUp.SOURCE);
        }
    }
}
