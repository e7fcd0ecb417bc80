package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A {@link CacheAside} on a Caffeine {@link LoadingCache}. Caffeine gives the guarantees that
 * matter: one load per key however many callers miss it at once, one background refresh per
 * key, and a load or refresh racing an eviction does not put the stale value back. Caffeine does
 * not promise that for emptying the whole cache, so each entry remembers which emptying it was
 * loaded after: a load that began before the cache was last emptied is not served.
 *
 * <p>A cache invalidated by change data capture is bypassed (reads go to the source, and are
 * counted) while this instance cannot show that it is within {@code max-staleness} of the database.
 *
 * <p>With a second tier, a miss asks it before the source, the application's own evictions reach
 * it before this instance's memory, and a warm-up reads from it when another instance filled it.
 */
class CaffeineCacheAside<K, V> implements CacheAside<K, V> {

    private static final Logger log = LoggerFactory.getLogger(CaffeineCacheAside.class);

    private final String name;
    private final Class<K> keyType;
    private volatile BiConsumer<String, Object> everywhere = (cache, key) -> { };
    private final CacheProperties.Spec spec;
    private final Function<K, Optional<V>> source;
    private final WarmUp<K, V> warmUp;
    private final SharedTier.ForCache<K, V> secondTier;
    private final LoadingCache<K, Loaded<V>> cache;
    /** How often the cache was emptied: a value loaded before the last time is not served. */
    private final AtomicLong emptied = new AtomicLong();
    private final BooleanSupplier current;
    private final Counter bypasses;
    private final Map<Invalidated, Counter> invalidations = new EnumMap<>(Invalidated.class);
    private final Map<String, Counter> warmUpEntries = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private volatile boolean warm;
    private volatile String warmUpState = "not started";
    private volatile String warmedUpFrom;
    /**
     * Taken by evictions while the cache warms up, and by the warm-up while it puts what it read:
     * a key evicted while the warm-up read the source is not put back with the value it read.
     */
    private final Object warming = new Object();
    private final Set<Object> evictedWhileWarming = new HashSet<>();
    private boolean clearedWhileWarming;

    /**
     * @param current whether the cache may be read: false while change data capture cannot show it
     *                current enough
     */
    CaffeineCacheAside(String name, Class<K> keyType, CacheProperties.Spec spec, Function<K, Optional<V>> source,
            WarmUp<K, V> warmUp, Executor refreshes, Ticker ticker, BooleanSupplier current, MeterRegistry meters) {
        this(name, keyType, spec, source, warmUp, refreshes, ticker, current, meters, SharedTier.ForCache.none());
    }

    /** @param secondTier the cache's part of the second tier, asked on a miss before the source */
    CaffeineCacheAside(String name, Class<K> keyType, CacheProperties.Spec spec, Function<K, Optional<V>> source,
            WarmUp<K, V> warmUp, Executor refreshes, Ticker ticker, BooleanSupplier current, MeterRegistry meters,
            SharedTier.ForCache<K, V> secondTier) {
        this.name = name;
        this.keyType = keyType;
        this.spec = spec;
        this.source = source;
        this.warmUp = warmUp;
        this.secondTier = secondTier;
        this.current = current;
        this.meters = meters;
        this.bypasses = Counter.builder("ficus.cache.bypasses")
                .description("Reads that went to the source because the cache could not be shown current enough")
                .tag("cache", name)
                .register(meters);
        for (Invalidated by : Invalidated.values()) {
            invalidations.put(by, Counter.builder("ficus.cache.invalidations")
                    .description("Entries evicted, or the cache emptied, because their source changed")
                    .tag("cache", name)
                    .tag("source", by.tag)
                    .register(meters));
        }
        this.warm = !(spec.enabled() && spec.warmUp() && warmUp != null);
        Caffeine<K, Loaded<V>> builder = Caffeine.newBuilder()
                .maximumSize(spec.maximumSize())
                .executor(refreshes)
                .ticker(ticker)
                .recordStats()
                .expireAfter(new JitteredExpiry<K, V>(spec.ttl(), spec.ttlJitter(), spec.negativeTtl()));
        if (!spec.refreshAfter().isZero() && !spec.refreshAfter().isNegative()) {
            builder.refreshAfterWrite(spec.refreshAfter());
        }
        this.cache = builder.build(key -> {
            // Which emptying it follows, taken before the second tier or the source is read.
            long after = emptied.get();
            return new Loaded<>(after, secondTier.load(key, source));
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Class<K> keyType() {
        return keyType;
    }

    /** Who found that an entry's source changed. */
    enum Invalidated {
        /** This instance's change stream. */
        CHANGE_DATA_CAPTURE("change-data-capture"),
        /** The instance that streams changes, over the eviction channel. */
        BROADCAST("broadcast"),
        /** The application's own code ({@link CacheAside#evict} and the like). */
        APPLICATION("application");

        private final String tag;

        Invalidated(String tag) {
            this.tag = tag;
        }
    }

    /** A value and the number of times the cache had been emptied when its load began. */
    record Loaded<V>(long after, Optional<V> value) {
    }

    LoadingCache<K, Loaded<V>> caffeine() {
        return cache;
    }

    boolean warm() {
        return warm;
    }

    /** Why the cache is not warm yet; empty once it is. */
    Optional<String> warmUpState() {
        return warm ? Optional.empty() : Optional.of(warmUpState);
    }

    /** Where the warm-up took its entries from; empty until it is done. */
    Optional<String> warmedUpFrom() {
        return Optional.ofNullable(warmedUpFrom);
    }

    SharedTier.ForCache<K, V> secondTier() {
        return secondTier;
    }

    /** Whether reads may come from memory now. */
    boolean current() {
        return current.getAsBoolean();
    }

    @Override
    public Optional<V> get(K key) {
        if (!spec.enabled()) {
            return source.apply(key);
        }
        if (!current.getAsBoolean()) {
            bypasses.increment();
            return source.apply(key);
        }
        Loaded<V> loaded = cache.get(key);
        if (loaded.after() != emptied.get()) {
            // Loaded from before the cache was last emptied: maybe stale, so not served and not kept.
            cache.asMap().remove(key, loaded);
            return source.apply(key);
        }
        return loaded.value();
    }

    @Override
    public void evict(K key) {
        evict(key, Invalidated.APPLICATION);
    }

    /**
     * Evicts here; an eviction the application asks for reaches the second tier first, so that
     * no read refills memory from it with what the application just made stale.
     */
    void evict(K key, Invalidated by) {
        if (by == Invalidated.APPLICATION) {
            secondTier.invalidate(key);
        }
        invalidations.get(by).increment();
        if (!warm) {
            synchronized (warming) {
                evictedWhileWarming.add(key);
                cache.invalidate(key);
            }
            return;
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
    public void evictEverywhere(K key) {
        evictAfterCommit(key);
        everywhere.accept(name, key);
    }

    /** How {@link #evictEverywhere} reaches the other instances: the cache's name and the key. */
    void tellOthersWith(BiConsumer<String, Object> others) {
        this.everywhere = others;
    }

    @Override
    public void evictAll() {
        evictAll(Invalidated.APPLICATION);
    }

    void evictAll(Invalidated by) {
        if (by == Invalidated.APPLICATION) {
            secondTier.invalidateAll();
        }
        invalidations.get(by).increment();
        empty();
    }

    /** Empties the cache; whoever asks counts it. */
    void empty() {
        if (!warm) {
            synchronized (warming) {
                clearedWhileWarming = true;
                emptied.incrementAndGet();
                cache.invalidateAll();
            }
            return;
        }
        emptied.incrementAndGet();
        cache.invalidateAll();
    }

    /**
     * Warms the cache up, if it is to, retrying with a pause that doubles up to {@code maxBackoff};
     * returns once it is warm. It loads only while the cache is current: what it reads is then
     * followed by every eviction.
     */
    void warmUp(Duration maxBackoff) throws InterruptedException {
        Duration backoff = Duration.ofSeconds(1);
        while (!warm) {
            if (!current.getAsBoolean()) {
                warmUpState = "waiting until this instance hears the stream's evictions and is within max-staleness";
                Thread.sleep(100);
                continue;
            }
            warmUpState = "loading";
            try {
                loadWarmUp();
            }
            catch (RuntimeException e) {
                warmUpState = "failed (" + e.getMessage() + "); trying again in " + backoff.toSeconds() + " s";
                log.warn("Could not warm up cache {}; trying again in {}", name, backoff, e);
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
    }

    private void loadWarmUp() {
        synchronized (warming) {
            // Only evictions from now on can make what is read next stale.
            evictedWhileWarming.clear();
            clearedWhileWarming = false;
        }
        long after = emptied.get();
        SharedTier.WarmedUp<K, V> warmedUp = secondTier.warmUp(spec.maximumSize(), warmUp);
        Map<K, V> entries = warmedUp.entries();
        // Where from, and how many, are on record before the cache says it is warm.
        warmedUpFrom = warmedUp.from();
        warmUpEntries.computeIfAbsent(warmedUp.from(), from -> Counter.builder("ficus.cache.warm-up.entries")
                .description("Entries a warm-up loaded, by where from: the second tier or the source")
                .tag("cache", name)
                .tag("from", from)
                .register(meters)).increment(entries.size());
        synchronized (warming) {
            if (!clearedWhileWarming) {
                entries.forEach((key, value) -> {
                    if (!evictedWhileWarming.contains(key)) {
                        cache.asMap().putIfAbsent(key, new Loaded<>(after, Optional.of(value)));
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
    record JitteredExpiry<K, V>(Duration ttl, double jitter, Duration negativeTtl) implements Expiry<K, Loaded<V>> {

        @Override
        public long expireAfterCreate(K key, Loaded<V> loaded, long currentTime) {
            if (loaded.value().isEmpty()) {
                return negativeTtl.toNanos();
            }
            double spread = jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
            return (long) (ttl.toNanos() * (1 + spread));
        }

        @Override
        public long expireAfterUpdate(K key, Loaded<V> loaded, long currentTime, long currentDuration) {
            return expireAfterCreate(key, loaded, currentTime);
        }

        @Override
        public long expireAfterRead(K key, Loaded<V> loaded, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
