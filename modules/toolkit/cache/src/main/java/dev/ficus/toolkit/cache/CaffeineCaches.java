package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The application's caches, each created once and measured. */
class CaffeineCaches implements Caches {

    private static final Logger log = LoggerFactory.getLogger(CaffeineCaches.class);
    private static final Duration MAX_WARM_UP_BACKOFF = Duration.ofMinutes(1);

    private final CacheProperties properties;
    private final MeterRegistry meters;
    private final Executor refreshes;
    private final Freshness freshness;
    private final SharedTier secondTier;
    private final ConcurrentMap<String, CaffeineCacheAside<?, ?>> caches = new ConcurrentHashMap<>();
    private volatile Consumer<CacheInvalidation.Eviction> channel = eviction -> { };

    /**
     * @param freshness how current caches invalidated by change data capture are; null when no
     *                  change stream invalidates them (then only TTLs and the application's own
     *                  evictions keep them current)
     */
    CaffeineCaches(CacheProperties properties, MeterRegistry meters, Executor refreshes, Freshness freshness) {
        this(properties, meters, refreshes, freshness, SharedTier.NONE);
    }

    /** @param secondTier the second tier, shared by every instance; {@link SharedTier#NONE} for none */
    CaffeineCaches(CacheProperties properties, MeterRegistry meters, Executor refreshes, Freshness freshness,
            SharedTier secondTier) {
        this.properties = properties;
        this.meters = meters;
        this.refreshes = refreshes;
        this.freshness = freshness;
        this.secondTier = secondTier;
        if (properties.secondTier().enabled() && secondTier == SharedTier.NONE) {
            log.warn("ficus.cache.second-tier.enabled is true, but {}: the caches have no second tier",
                    freshness == null ? "no change stream runs in this application (only it can invalidate a tier "
                            + "that every instance shares)" : "the application has no Redis connection (add "
                            + "spring-boot-starter-data-redis and configure spring.data.redis)");
        }
    }

    @Override
    public <K, V> CacheAside<K, V> cacheAside(String name, Class<K> keyType, Function<K, Optional<V>> source,
            CacheAside.WarmUp<K, V> warmUp) {
        return cacheAside(name, keyType, null, source, warmUp);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> CacheAside<K, V> cacheAside(String name, Class<K> keyType, Class<V> valueType,
            Function<K, Optional<V>> source, CacheAside.WarmUp<K, V> warmUp) {
        return (CacheAside<K, V>) caches.computeIfAbsent(name, created -> {
            CacheProperties.Spec spec = properties.specOf(name);
            if (freshness == null && !spec.invalidatedBy().isEmpty() && spec.enabled()) {
                log.warn("Cache {} is to be invalidated by changes of {}, but no change stream runs in this application "
                        + "(ficus.cdc.enabled=false, or change data capture is not on the class path): its entries "
                        + "live until their TTL ({}) or the application's own evictions", name,
                        spec.invalidatedBy().stream().map(CacheProperties.Invalidation::table).toList(), spec.ttl());
            }
            BooleanSupplier current = freshness != null && !spec.invalidatedBy().isEmpty()
                    ? freshness::current : () -> true;
            var cache = new CaffeineCacheAside<>(name, keyType, spec, source, warmUp, refreshes,
                    Ticker.systemTicker(), current, meters, secondTierOf(name, keyType, valueType, spec));
            cache.tellOthersWith(this::tellOthers);
            CaffeineCacheMetrics.monitor(meters, cache.caffeine(), name);
            return cache;
        });
    }

    /**
     * The cache's part of the second tier: only a cache invalidated by change data capture has one
     * (the change stream is what invalidates it), and only if the type of its values is known.
     */
    @SuppressWarnings("unchecked")
    private <K, V> SharedTier.ForCache<K, V> secondTierOf(String name, Class<K> keyType, Class<V> valueType,
            CacheProperties.Spec spec) {
        if (valueType != null && spec.valueType() != null && !valueType.equals(spec.valueType())) {
            throw new IllegalArgumentException("Cache " + name + " holds " + valueType.getName() + ", but "
                    + "ficus.cache.caches." + name + ".value-type says " + spec.valueType().getName());
        }
        if (secondTier == SharedTier.NONE || !spec.enabled() || !spec.secondTier() || spec.invalidatedBy().isEmpty()) {
            return SharedTier.ForCache.none();
        }
        Class<V> type = valueType != null ? valueType : (Class<V>) spec.valueType();
        if (type == null) {
            log.warn("Cache {} stays out of the second tier: the type of its values is not known (name it with "
                    + "ficus.cache.caches.{}.value-type, or pass it to Caches.cacheAside)", name, name);
            return SharedTier.ForCache.none();
        }
        return secondTier.forCache(name, keyType, type, spec);
    }

    SharedTier secondTier() {
        return secondTier;
    }

    /** From now on, {@link CacheAside#evictEverywhere} also tells the other instances through {@code channel}. */
    void broadcastWith(Consumer<CacheInvalidation.Eviction> channel) {
        this.channel = channel;
    }

    private void tellOthers(String cache, Object key) {
        channel.accept(new CacheInvalidation.Eviction(cache, CacheKeys.columnsOf(key)));
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

    Optional<Freshness> freshness() {
        return Optional.ofNullable(freshness);
    }

    /** Empties every cache: this instance may have missed evictions, for the reason given. */
    void evictAll(String reason) {
        log.info("Emptying every cache ({}): evictions may have been missed", reason);
        meters.counter("ficus.cache.flushes", "reason", reason).increment();
        caffeineCaches().forEach(CaffeineCacheAside::empty);
    }

    /**
     * Names configured under {@code ficus.cache.caches} that no code created; said at start, since
     * a name that differs between the settings and the code would otherwise silently leave the
     * code's cache with the defaults and without invalidation.
     */
    List<String> configuredButNotCreated() {
        List<String> unused = properties.caches().keySet().stream().filter(name -> !caches.containsKey(name))
                .sorted().toList();
        if (!unused.isEmpty()) {
            log.warn("ficus.cache.caches configures {}, but the application creates no cache of that name (it creates "
                    + "{}): check the names in the settings against those in the code", unused,
                    caches.keySet().stream().sorted().toList());
        }
        caches.keySet().stream().filter(name -> !properties.caches().containsKey(name)).sorted().forEach(name ->
                log.info("Cache {} is not configured under ficus.cache.caches: it has the defaults, and no change "
                        + "invalidates it", name));
        return unused;
    }

    /** Warms up the caches configured to, each on a thread of its own, retrying until they are warm. */
    void warmUp() {
        caffeineCaches().forEach(cache -> {
            Thread warmUp = new Thread(() -> {
                try {
                    cache.warmUp(MAX_WARM_UP_BACKOFF);
                }
                catch (InterruptedException e) {
                    log.info("Warm-up of cache {} interrupted", cache.name());
                }
            }, "ficus-cache-warm-up-" + cache.name());
            warmUp.setDaemon(true);
            warmUp.start();
        });
    }
}
