package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ReactiveValueOperations;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The second tier in Redis: cache-aside under the in-process caches, in one namespace per epoch.
 *
 * <p>Reads: on a first-tier miss, {@code GET}; a value (or a cached absence) is a hit. On a miss
 * the source is read, and its value is written only if the entry is still exactly what the
 * {@code GET} saw and the epoch is still the current one (a script): a load that read the source
 * before a change committed cannot overwrite the tombstone the change's invalidation wrote, even
 * if its write reaches Redis late. A warm-up from the source, which saw no entry beforehand, may
 * replace only tombstones written (by Redis's clock) before it began reading.
 *
 * <p>Invalidation: the streaming instance writes a tombstone per stale key, before it tells the
 * other instances, and announces the epoch with every message. When it cannot (Redis down or
 * slow), it announces none, so every instance stops reading Redis, and starts a new epoch once
 * Redis answers again; so does any instance whose own invalidation failed, or that empties a
 * cache, and it reads Redis again only from that epoch on. Emptying a whole cache starts a new
 * epoch too. A new leader starts one; so does the leader when Redis lost the epoch (restarted
 * empty).
 *
 * <p>Every command has a short timeout, and a circuit breaker leaves Redis alone for a while
 * after repeated failures: a Redis that is down or slow costs a database read, never an error.
 */
final class RedisTier implements SharedTier {

    private static final Logger log = LoggerFactory.getLogger(RedisTier.class);
    private static final String ALL = "*";
    private static final int CHUNK = 500;

    /**
     * KEYS: the entry, the epoch. ARGV: what the entry held when read ('' for nothing), the new
     * entry, its TTL in milliseconds, the epoch it belongs to.
     */
    private static final RedisScript<Long> WRITE_IF_UNCHANGED = RedisScript.of("""
            if redis.call('GET', KEYS[2]) ~= ARGV[4] then return -1 end
            local current = redis.call('GET', KEYS[1])
            if (current == false and ARGV[1] == '') or current == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0
            """, Long.class);

    /**
     * KEYS: the entry, the epoch. ARGV: the time (Redis's, in milliseconds) the caller began
     * reading the source, the new entry, its TTL in milliseconds, the epoch it belongs to. Writes
     * where there is no entry, or a tombstone older than that time.
     */
    private static final RedisScript<Long> WRITE_IF_OLDER_TOMBSTONE = RedisScript.of("""
            if redis.call('GET', KEYS[2]) ~= ARGV[4] then return -1 end
            local current = redis.call('GET', KEYS[1])
            local buried = current and string.sub(current, 1, 1) == '~' and tonumber(string.match(current, ':(%d+)$'))
            if current == false or (buried and buried < tonumber(ARGV[1])) then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0
            """, Long.class);

    /**
     * KEYS: the stale entries. ARGV: a random id, then each entry's TTL in milliseconds. Writes a
     * tombstone, {@code ~<id>:<Redis's time in milliseconds>}, over each.
     */
    private static final RedisScript<Long> TOMBSTONES = RedisScript.of("""
            local time = redis.call('TIME')
            local stone = '~' .. ARGV[1] .. ':' .. string.format('%.0f', time[1] * 1000 + math.floor(time[2] / 1000))
            for i, key in ipairs(KEYS) do
              redis.call('SET', key, stone, 'PX', ARGV[i + 1])
            end
            return #KEYS
            """, Long.class);

    /** Redis's time, in milliseconds. */
    private static final RedisScript<Long> NOW = RedisScript.of("""
            local time = redis.call('TIME')
            return time[1] * 1000 + math.floor(time[2] / 1000)
            """, Long.class);

    /** KEYS: the epoch. ARGV: the newest epoch the caller knows. A new epoch, newer than both. */
    private static final RedisScript<Long> NEW_EPOCH = RedisScript.of("""
            local newest = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') or 0, tonumber(ARGV[1]))
            redis.call('SET', KEYS[1], newest + 1)
            return newest + 1
            """, Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final ReactiveValueOperations<String, String> values;
    private final String namespace;
    private final String epochKey;
    private final Duration timeout;
    private final CircuitBreaker breaker;
    private final BooleanSupplier leads;
    private final MeterRegistry meters;

    /** Guards the streaming instance's epoch: invalidations and announcements happen one at a time. */
    private final Object epochs = new Object();
    private volatile Long leaderEpoch;
    private volatile Long heardEpoch;
    /** This instance needs a new epoch (its invalidation failed, or it emptied a cache). */
    private volatile boolean renewalNeeded;
    /** The epoch this instance started after it needed one: older ones are not read. */
    private volatile long awaited;
    /** The newest epoch this instance knows of: a new one is newer, even if Redis lost track. */
    private volatile long newest;

    /**
     * @param stream the change stream's name: instances of one application share the namespace
     * @param leads  whether this instance streams changes now
     */
    RedisTier(ReactiveRedisConnectionFactory connections, CacheProperties.SecondTier settings, String stream,
            BooleanSupplier leads, MeterRegistry meters) {
        this.redis = new ReactiveStringRedisTemplate(connections);
        this.values = redis.opsForValue();
        this.namespace = settings.keyPrefix() + ":{" + stream + "}";
        this.epochKey = namespace + ":epoch";
        this.timeout = settings.timeout();
        this.leads = leads;
        this.meters = meters;
        this.breaker = CircuitBreaker.of("ficus-cache-second-tier", CircuitBreakerConfig.custom()
                .failureRateThreshold(50)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(2)
                .build());
        this.breaker.getEventPublisher().onStateTransition(event -> {
            switch (event.getStateTransition().getToState()) {
                case OPEN -> log.warn("Redis, the caches' second tier, fails or is slow: reads go to the database, and "
                        + "Redis is tried again in {}", settings.openFor());
                case CLOSED -> log.info("Redis, the caches' second tier, answers again");
                default -> {
                }
            }
        });
        // Connects now, so that the first reads do not wait for the connection to be made.
        values.get(epochKey).subscribeOn(Schedulers.boundedElastic()).subscribe(epoch -> { }, error -> { });
    }

    @Override
    public <K, V> ForCache<K, V> forCache(String name, Class<K> keyType, Class<V> valueType,
            CacheProperties.Spec spec) {
        return new RedisForCache<>(name, new TierEntries<>(namespace + ":" + name, keyType, valueType), spec);
    }

    /** The epoch to read and write with now; null: Redis is not used. */
    Long epoch() {
        if (renewalNeeded) {
            return null;
        }
        Long epoch = leads.getAsBoolean() ? leaderEpoch : heardEpoch;
        return epoch == null || epoch < awaited ? null : epoch;
    }

    @Override
    public void lead() {
        synchronized (epochs) {
            heardEpoch = null;
            renewLeading();
        }
    }

    @Override
    public void invalidate(List<Stale> stale, Consumer<Long> then) {
        synchronized (epochs) {
            Long epoch = renewalNeeded || !leads.getAsBoolean() ? null : leaderEpoch;
            if (epoch != null && !stale.isEmpty()) {
                if (stale.stream().anyMatch(entry -> entry.key() == null)) {
                    // A cache emptied: its entries are left behind in the old epoch.
                    renewLeading();
                    epoch = leaderEpoch;
                }
                else {
                    try {
                        for (int from = 0; from < stale.size(); from += CHUNK) {
                            List<Stale> chunk = stale.subList(from, Math.min(stale.size(), from + CHUNK));
                            call("invalidate", ALL, bury(epoch, chunk));
                        }
                    }
                    catch (Unavailable | JacksonException e) {
                        failedLeading();
                        epoch = null;
                    }
                }
            }
            then.accept(epoch);
        }
    }

    /** Writes tombstones over the entries, in one script. */
    private Mono<Long> bury(long epoch, List<Stale> stale) {
        List<String> keys = new ArrayList<>(stale.size());
        List<String> arguments = new ArrayList<>(stale.size() + 1);
        arguments.add(String.format("%016x", ThreadLocalRandom.current().nextLong()));
        for (Stale entry : stale) {
            RedisForCache<?, ?> cache = (RedisForCache<?, ?>) entry.cache();
            keys.add(cache.keyOf(epoch, entry.key()));
            arguments.add(Long.toString(cache.tombstoneTtl().toMillis()));
        }
        return redis.execute(TOMBSTONES, keys, arguments).next();
    }

    @Override
    public void announce(Consumer<Long> send) {
        synchronized (epochs) {
            maintainLocked();
            send.accept(epoch());
        }
    }

    @Override
    public void maintain() {
        synchronized (epochs) {
            maintainLocked();
        }
    }

    private void maintainLocked() {
        if (!leads.getAsBoolean()) {
            if (renewalNeeded) {
                try {
                    awaited = newEpoch();
                    renewalNeeded = false;
                    log.info("Started epoch {} of the caches' second tier; this instance reads it once the streaming "
                            + "instance announces it", awaited);
                }
                catch (Unavailable e) {
                    // Again with the next heartbeat.
                }
            }
            return;
        }
        if (renewalNeeded || leaderEpoch == null) {
            renewLeading();
            return;
        }
        try {
            String stored = call("epoch", ALL, values.get(epochKey));
            long inRedis = stored == null ? 0 : Long.parseLong(stored);
            if (inRedis > leaderEpoch) {
                // Another instance started one: from now on every invalidation goes there.
                leaderEpoch = inRedis;
                newest = Math.max(newest, inRedis);
            }
            else if (inRedis < leaderEpoch) {
                // Redis lost the epoch (restarted empty, or evicted it): what it holds is unknown.
                renewLeading();
            }
        }
        catch (Unavailable | NumberFormatException e) {
            failedLeading();
        }
    }

    private void renewLeading() {
        try {
            leaderEpoch = newEpoch();
            renewalNeeded = false;
            awaited = 0;
            log.info("The caches' second tier is in epoch {}", leaderEpoch);
        }
        catch (Unavailable e) {
            failedLeading();
        }
    }

    private void failedLeading() {
        if (leaderEpoch != null) {
            log.warn("Redis did not answer the streaming instance: no instance uses the caches' second tier until "
                    + "it does, and then from a new epoch");
        }
        leaderEpoch = null;
        renewalNeeded = true;
    }

    private long newEpoch() {
        Long epoch = call("epoch", ALL, redis.execute(NEW_EPOCH, List.of(epochKey), List.of(Long.toString(newest)))
                .next());
        if (epoch == null) {
            throw new Unavailable(null);
        }
        newest = Math.max(newest, epoch);
        return epoch;
    }

    /** Redis is not to be trusted by this instance until a new epoch: an invalidation failed here. */
    void distrust() {
        synchronized (epochs) {
            renewalNeeded = true;
            if (leads.getAsBoolean()) {
                leaderEpoch = null;
            }
        }
    }

    @Override
    public void heard(Long epoch) {
        if (!Objects.equals(epoch, heardEpoch)) {
            log.debug("Heard epoch {} of the caches' second tier from the streaming instance", epoch);
        }
        heardEpoch = epoch;
        if (epoch != null && epoch > newest) {
            newest = epoch;
        }
    }

    @Override
    public void forget() {
        heardEpoch = null;
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        Long epoch = epoch();
        state.put("epoch", epoch);
        state.put("redis", breaker.getState().toString());
        if (epoch == null) {
            state.put("why", whyNotUsed());
        }
        return state;
    }

    private String whyNotUsed() {
        if (renewalNeeded) {
            return "an invalidation failed here, or a cache was emptied: this instance waits for a new epoch";
        }
        if (leads.getAsBoolean()) {
            return "Redis did not answer this instance, which streams changes";
        }
        if (heardEpoch == null) {
            return "no epoch heard from the streaming instance (none streams yet, it has no second tier, or Redis "
                    + "does not answer it)";
        }
        return "waiting to hear epoch " + awaited + " or newer from the streaming instance";
    }

    /** A warm-up is not in a hurry: its bulk commands may take a hundred times as long as one read. */
    private Duration warmUpTimeout() {
        return timeout.multipliedBy(100);
    }

    /** Runs a command with the timeout, through the circuit breaker; a failure is counted. */
    private <T> T call(String operation, String cache, Mono<T> command) {
        return call(operation, cache, command, timeout);
    }

    private <T> T call(String operation, String cache, Mono<T> command, Duration limit) {
        try {
            // Subscribed on another thread: even a connection being made (Redis down since the
            // start) cannot hold the caller past the timeout.
            return breaker.executeSupplier(() -> command.subscribeOn(Schedulers.boundedElastic())
                    .timeout(limit)
                    .block());
        }
        catch (CallNotPermittedException e) {
            throw new Unavailable(e);
        }
        catch (RuntimeException e) {
            Counter.builder("ficus.cache.second-tier.errors")
                    .description("Commands to the second tier that failed or took too long: the source answered")
                    .tag("cache", cache)
                    .tag("operation", operation)
                    .register(meters)
                    .increment();
            log.debug("Second tier: {} for cache {} failed", operation, cache, e);
            throw new Unavailable(e);
        }
    }

    /** Redis did not answer (in time), or is being left alone. */
    private static final class Unavailable extends RuntimeException {

        Unavailable(Throwable cause) {
            super(cause == null ? "no answer" : cause.toString(), cause, false, false);
        }
    }

    /** One cache's entries. */
    private final class RedisForCache<K, V> implements ForCache<K, V> {

        private final String name;
        private final TierEntries<K, V> entries;
        private final CacheProperties.Spec spec;
        private final Counter hits;
        private final Counter misses;
        private final AtomicBoolean saidWrongType = new AtomicBoolean();

        RedisForCache(String name, TierEntries<K, V> entries, CacheProperties.Spec spec) {
            this.name = name;
            this.entries = entries;
            this.spec = spec;
            this.hits = Counter.builder("ficus.cache.second-tier.hits")
                    .description("First-tier misses the second tier answered")
                    .tag("cache", name)
                    .register(meters);
            this.misses = Counter.builder("ficus.cache.second-tier.misses")
                    .description("First-tier misses the second tier could not answer: the source did")
                    .tag("cache", name)
                    .register(meters);
        }

        @Override
        public boolean active() {
            return true;
        }

        @Override
        public Optional<V> load(K key, Function<K, Optional<V>> source) {
            Long epoch = epoch();
            if (epoch == null) {
                return source.apply(key);
            }
            String redisKey;
            String seen;
            try {
                redisKey = entries.key(epoch, key);
                seen = call("get", name, values.get(redisKey));
            }
            catch (Unavailable | JacksonException e) {
                return source.apply(key);
            }
            try {
                TierEntries.Found<V> found = entries.read(seen);
                if (found != null) {
                    hits.increment();
                    return found.value();
                }
            }
            catch (JacksonException e) {
                log.debug("Second tier: an entry of cache {} cannot be read; it is replaced", name, e);
            }
            misses.increment();
            Optional<V> loaded = source.apply(key);
            keep(epoch, redisKey, seen, loaded);
            return loaded;
        }

        /** Writes what the source gave, unless the entry changed since it was read as {@code seen}. */
        private void keep(long epoch, String redisKey, String seen, Optional<V> loaded) {
            Duration ttl = loaded.isPresent() ? jitteredTtl() : spec.negativeTtl();
            if (ttl.isZero() || ttl.isNegative() || !fits(loaded)) {
                return;
            }
            try {
                String entry = entries.value(loaded);
                call("put", name, writeIfUnchanged(epoch, redisKey, seen == null ? "" : seen, entry, ttl));
            }
            catch (Unavailable | JacksonException e) {
                // Not kept; the next miss tries again.
            }
        }

        private boolean fits(Optional<V> value) {
            if (value.isEmpty() || entries.valueType().isInstance(value.get())) {
                return true;
            }
            if (saidWrongType.compareAndSet(false, true)) {
                log.warn("Cache {} is declared to hold {}, but its source gave a {}: such values stay out of the "
                        + "second tier", name, entries.valueType().getName(), value.get().getClass().getName());
            }
            return false;
        }

        private Mono<Long> writeIfUnchanged(long epoch, String redisKey, String expected, String entry, Duration ttl) {
            return redis.execute(WRITE_IF_UNCHANGED, List.of(redisKey, epochKey),
                    List.of(expected, entry, Long.toString(Math.max(1, ttl.toMillis())), Long.toString(epoch))).next();
        }

        /** Each entry lives its TTL give or take the jitter, as in the first tier. */
        private Duration jitteredTtl() {
            double spread = spec.ttlJitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
            return Duration.ofMillis((long) (spec.ttl().toMillis() * (1 + spread)));
        }

        /** A tombstone outlives any entry a late write could have put there. */
        Duration tombstoneTtl() {
            Duration longest = Duration.ofMillis((long) (spec.ttl().toMillis() * (1 + spec.ttlJitter())) + 1);
            return longest.compareTo(spec.negativeTtl()) >= 0 ? longest : spec.negativeTtl();
        }

        @SuppressWarnings("unchecked")
        String keyOf(long epoch, Object key) {
            return entries.key(epoch, (K) key);
        }

        @Override
        public void invalidate(K key) {
            Long epoch = epoch();
            if (epoch == null) {
                return;
            }
            try {
                call("invalidate", name, bury(epoch, List.of(new Stale(this, key))));
            }
            catch (Unavailable | JacksonException e) {
                log.info("Could not invalidate an entry of cache {} in the second tier: this instance reads it again "
                        + "from a new epoch on", name);
                distrust();
            }
        }

        @Override
        public void invalidateAll() {
            distrust();
        }

        @Override
        public WarmedUp<K, V> warmUp(long limit, CacheAside.WarmUp<K, V> source) {
            Long epoch = epoch();
            if (epoch != null) {
                try {
                    if (Boolean.TRUE.equals(call("warm-up", name, redis.hasKey(entries.warmMarker(epoch))))) {
                        return new WarmedUp<>(readAll(epoch, limit), WarmedUp.SECOND_TIER);
                    }
                }
                catch (Unavailable e) {
                    log.info("Cache {} warms up from its source: the second tier did not answer", name);
                }
            }
            Long began = null;
            if (epoch != null) {
                try {
                    began = call("warm-up", name, redis.execute(NOW, List.of(), List.of()).next());
                }
                catch (Unavailable e) {
                    // Not put into the second tier.
                }
            }
            Map<K, V> loaded = source.load(limit);
            if (began != null) {
                // With a second's margin, should Redis's clock step back.
                fill(epoch, began - 1_000, loaded);
            }
            return new WarmedUp<>(loaded, WarmedUp.SOURCE);
        }

        /** Up to {@code limit} entries of the epoch: SCAN for their keys, then MGET them in chunks. */
        private Map<K, V> readAll(long epoch, long limit) {
            List<String> keys = call("warm-up", name, redis.scan(ScanOptions.scanOptions()
                    .match(entries.pattern(epoch)).count(1000).build()).take(limit).collectList(), warmUpTimeout());
            Map<K, V> found = new LinkedHashMap<>();
            for (int from = 0; keys != null && from < keys.size(); from += CHUNK) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + CHUNK));
                List<String> read = call("warm-up", name, values.multiGet(chunk), warmUpTimeout());
                for (int i = 0; read != null && i < chunk.size(); i++) {
                    Optional<K> key = entries.keyOf(epoch, chunk.get(i));
                    try {
                        TierEntries.Found<V> entry = entries.read(read.get(i));
                        if (key.isPresent() && entry != null && entry.value().isPresent()) {
                            found.put(key.get(), entry.value().get());
                        }
                    }
                    catch (JacksonException e) {
                        // Not read: loaded from the source when asked for.
                    }
                }
            }
            return found;
        }

        /**
         * Puts a warm-up from the source, which began reading at {@code began}, into the epoch,
         * and marks the epoch warm if all of it went in.
         */
        private void fill(long epoch, long began, Map<K, V> loaded) {
            List<Map.Entry<K, V>> all = new ArrayList<>(loaded.entrySet());
            try {
                for (int from = 0; from < all.size(); from += CHUNK) {
                    List<Mono<Long>> writes = new ArrayList<>();
                    for (Map.Entry<K, V> entry : all.subList(from, Math.min(all.size(), from + CHUNK))) {
                        if (fits(Optional.of(entry.getValue()))) {
                            writes.add(redis.execute(WRITE_IF_OLDER_TOMBSTONE,
                                    List.of(entries.key(epoch, entry.getKey()), epochKey),
                                    List.of(Long.toString(began), entries.value(Optional.of(entry.getValue())),
                                            Long.toString(jitteredTtl().toMillis()), Long.toString(epoch))).next());
                        }
                    }
                    call("warm-up", name, Flux.merge(writes).then(), warmUpTimeout());
                }
                Duration marker = Duration.ofMillis((long) (spec.ttl().toMillis() * (1 - spec.ttlJitter())));
                call("warm-up", name, values.set(entries.warmMarker(epoch), "1", marker));
            }
            catch (Unavailable | JacksonException e) {
                log.info("Cache {} warmed up from its source, but not all of it went into the second tier", name);
            }
        }
    }
}
