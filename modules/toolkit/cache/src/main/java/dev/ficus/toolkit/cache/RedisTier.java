package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

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
 * The second tier in Redis: cache-aside under the in-process caches, in one namespace per
 * database and change stream, and in it one generation (epoch) at a time.
 *
 * <p>The namespace is {@code <key-prefix>:{<stream>@<database>}}, where the database is named by
 * its cluster's system identifier and its name, read from the database once: applications (or
 * environments, or test suites) that share a Redis and a stream name but not a database do not
 * share entries or epochs.
 *
 * <p>Reads: on a first-tier miss, {@code GET}; a value (or a cached absence) is a hit. On a miss
 * the source is read, and its value is written only if the entry is still exactly what the
 * {@code GET} saw and the epoch is still the current one (a script): a load that read the source
 * before a change committed cannot overwrite the tombstone the change's invalidation wrote, even
 * if its write reaches Redis late. A warm-up from the source, which saw no entry beforehand, may
 * replace only tombstones written (by Redis's clock) before it began reading.
 *
 * <p>Invalidation: the streaming instance writes a tombstone per stale key, before it tells the
 * other instances, and announces the epoch with every message, with the namespace and the caches
 * it invalidates there. An instance uses the tier for a cache only with an announced epoch of its
 * own namespace that names that cache with keys of the same shape, and only if it knows no newer
 * epoch (one it led, started, or heard). When the streaming instance cannot invalidate (Redis
 * down or slow), it announces none, so every instance stops reading Redis, and starts a new epoch
 * once Redis answers again; so does any instance whose own invalidation failed, or that empties a
 * cache, and it reads Redis again only from that epoch on. Emptying a whole cache starts a new
 * epoch too. A new leader starts one; so does the leader when Redis lost the epoch (restarted
 * empty). A new epoch is at least Redis's clock (in microseconds), so it is new even to an
 * instance that knows none, after Redis lost the epoch.
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

    /**
     * KEYS: the epoch. ARGV: the newest epoch the caller knows. A new epoch, newer than both, and
     * than Redis's time in microseconds: new even if Redis lost the epoch and the caller knows none.
     * Answers {@code <epoch> <run id>}: the Redis process that holds it.
     */
    private static final RedisScript<String> NEW_EPOCH = RedisScript.of("""
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local newest = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') or 0, tonumber(ARGV[1]), now) + 1
            redis.call('SET', KEYS[1], string.format('%.0f', newest))
            return string.format('%.0f', newest) .. ' ' .. string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
            """, String.class);

    /**
     * KEYS: the epoch. Answers {@code <epoch> <run id>} ({@code  <run id>} without an epoch): the
     * epoch stored, and the Redis process that answers, which differs after a restart or a failover.
     */
    private static final RedisScript<String> EPOCH_AND_RUN = RedisScript.of("""
            return (redis.call('GET', KEYS[1]) or '') .. ' ' .. string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
            """, String.class);

    private final ReactiveStringRedisTemplate redis;
    private final ReactiveValueOperations<String, String> values;
    private final String stream;
    private final String keyPrefix;
    private final Supplier<String> database;
    private final Duration timeout;
    private final CircuitBreaker breaker;
    private final BooleanSupplier leads;
    private final MeterRegistry meters;
    /** {@code <key-prefix>:{<stream>@<database>}}; null until the database's identity is known. */
    private volatile String namespace;
    private volatile String epochKey;
    private final AtomicBoolean saidUnknownDatabase = new AtomicBoolean();
    /** The caches this instance keeps in the tier, each with the shape of its keys. */
    private final Map<String, String> caches = new ConcurrentHashMap<>();

    /** Guards the streaming instance's epoch: invalidations and announcements happen one at a time. */
    private final Object epochs = new Object();
    private volatile Long leaderEpoch;
    /** The Redis process (its run id) the streaming instance last found its epoch in. */
    private String leaderRun;
    /** The streaming instance found Redis restarted or replaced: every instance is to empty its caches kept there. */
    private boolean emptyingNeeded;
    private volatile Epoch heard;
    /** This instance needs a new epoch (its invalidation failed, or it emptied a cache). */
    private volatile boolean renewalNeeded;
    /**
     * The newest epoch this instance knows of (started, led, adopted, or heard in its namespace):
     * a new one is newer, and an announced one older than it is not used.
     */
    private final AtomicLong newest = new AtomicLong();
    /** Caches the streaming instance's announcement left out, or named with keys of another shape, as last said. */
    private final Set<String> saidNotInvalidated = ConcurrentHashMap.newKeySet();
    private volatile String saidOtherNamespace;

    /**
     * @param stream   the change stream's name: instances of one application share the namespace
     * @param database names the database the stream reads (its cluster's system identifier and its
     *                 name); it may fail, and is asked again until it answers
     * @param leads    whether this instance streams changes now
     */
    RedisTier(ReactiveRedisConnectionFactory connections, CacheProperties.SecondTier settings, String stream,
            Supplier<String> database, BooleanSupplier leads, MeterRegistry meters) {
        this.redis = new ReactiveStringRedisTemplate(connections);
        this.values = redis.opsForValue();
        this.stream = stream;
        this.keyPrefix = settings.keyPrefix();
        this.database = database;
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
        synchronized (epochs) {
            known();
        }
        // Connects now, so that the first reads do not wait for the connection to be made.
        values.get(keyPrefix).subscribeOn(Schedulers.boundedElastic()).subscribe(epoch -> { }, error -> { });
    }

    /** Whether the namespace is known: asks the database for its identity if it is not yet. */
    private boolean known() {
        if (namespace != null) {
            return true;
        }
        try {
            String identity = database.get();
            String known = keyPrefix + ":{" + stream + "@" + identity + "}";
            epochKey = known + ":epoch";
            namespace = known;
            log.info("The caches' second tier keeps its entries under {}", known);
            return true;
        }
        catch (RuntimeException e) {
            if (saidUnknownDatabase.compareAndSet(false, true)) {
                log.warn("Cannot tell which database this is ({}): the caches' second tier is not used until it can",
                        e.toString());
            }
            return false;
        }
    }

    /** What every key starts with: {@code <key-prefix>:{<stream>@<database>}}; null while not known. */
    String namespace() {
        return namespace;
    }

    @Override
    public <K, V> ForCache<K, V> forCache(String name, Class<K> keyType, Class<V> valueType,
            CacheProperties.Spec spec) {
        String keyShape = TierEntries.shapeOf(keyType);
        caches.put(name, keyShape);
        return new RedisForCache<>(name, keyType, keyShape, valueType, spec);
    }

    /** The epoch to read and write with now, whatever the cache; null: Redis is not used. */
    Long epoch() {
        return leads.getAsBoolean() ? leading() : following(heard);
    }

    /** The epoch to read and write a cache's entries with now; null: the cache does not use Redis now. */
    private Long epochOf(String cache, String keyShape) {
        if (leads.getAsBoolean()) {
            return leading();
        }
        Epoch announced = heard;
        Long epoch = following(announced);
        return epoch != null && keyShape.equals(announced.caches().get(cache)) ? epoch : null;
    }

    private Long leading() {
        return renewalNeeded || namespace == null ? null : leaderEpoch;
    }

    /** The announced epoch, if this instance may use it: of its namespace, and none newer known. */
    private Long following(Epoch announced) {
        String own = namespace;
        if (renewalNeeded || own == null || announced == null || !own.equals(announced.namespace())
                || announced.number() < newest.get()) {
            return null;
        }
        return announced.number();
    }

    /** What the streaming instance announces with {@code epoch}: this instance's namespace and caches. */
    private Epoch announcement(Long epoch) {
        return epoch == null ? null : new Epoch(namespace, epoch, Collections.unmodifiableMap(new TreeMap<>(caches)));
    }

    @Override
    public void lead() {
        synchronized (epochs) {
            heard = null;
            leaderRun = null;
            renewLeading();
        }
    }

    @Override
    public void invalidate(List<Stale> stale, Consumer<Epoch> then) {
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
            then.accept(announcement(epoch));
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
    public void announce(BiConsumer<Epoch, List<String>> send) {
        synchronized (epochs) {
            maintainLocked();
            List<String> emptied = emptyingNeeded ? List.copyOf(new TreeMap<>(caches).keySet()) : List.of();
            send.accept(leads.getAsBoolean() ? announcement(epoch()) : null, emptied);
            emptyingNeeded = false;
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
            if (known() && renewalNeeded) {
                try {
                    long started = newEpoch().number();
                    renewalNeeded = false;
                    log.info("Started epoch {} of the caches' second tier; this instance reads it once the streaming "
                            + "instance announces it", started);
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
            Stored stored = Stored.of(call("epoch", ALL, redis.execute(EPOCH_AND_RUN, List.of(epochKey), List.of())
                    .next()));
            if (!stored.run().equals(leaderRun)) {
                // Restarted or replaced: it may hold entries older than their tombstones (a snapshot
                // loaded, a replica behind), or none; what the instances read from it since is suspect.
                renewLeading();
                return;
            }
            long inRedis = stored.number() == null ? 0 : stored.number();
            if (inRedis > leaderEpoch) {
                // Another instance started one: from now on every invalidation goes there.
                leaderEpoch = inRedis;
                newest.accumulateAndGet(inRedis, Math::max);
            }
            else if (inRedis < leaderEpoch) {
                // Redis lost the epoch (evicted it, or restarted empty): what it holds is unknown.
                renewLeading();
            }
        }
        catch (Unavailable | IllegalArgumentException e) {
            failedLeading();
        }
    }

    private void renewLeading() {
        if (!known()) {
            failedLeading();
            return;
        }
        try {
            Stored started = newEpoch();
            if (leaderRun != null && !leaderRun.equals(started.run())) {
                log.warn("Redis, the caches' second tier, was restarted or replaced: it may hold entries older than "
                        + "their invalidation. Every instance empties its caches kept there, and a new epoch starts");
                emptyingNeeded = true;
            }
            leaderRun = started.run();
            leaderEpoch = started.number();
            renewalNeeded = false;
            log.info("The caches' second tier is in epoch {}", leaderEpoch);
        }
        catch (Unavailable | IllegalArgumentException e) {
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

    private Stored newEpoch() {
        Stored started = Stored.of(call("epoch", ALL, redis.execute(NEW_EPOCH, List.of(epochKey),
                List.of(Long.toString(newest.get()))).next()));
        if (started.number() == null) {
            throw new Unavailable(null);
        }
        newest.accumulateAndGet(started.number(), Math::max);
        return started;
    }

    /** An epoch as stored in Redis (null: none), and the run id of the Redis process that holds it. */
    private record Stored(Long number, String run) {

        /** @throws IllegalArgumentException if it is not {@code <epoch> <run id>} */
        static Stored of(String answer) {
            if (answer == null) {
                throw new Unavailable(null);
            }
            int space = answer.lastIndexOf(' ');
            if (space < 0 || space == answer.length() - 1) {
                throw new IllegalArgumentException("Not an epoch and a run id: " + answer);
            }
            String number = answer.substring(0, space);
            return new Stored(number.isEmpty() ? null : Long.valueOf(number), answer.substring(space + 1));
        }
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

    /**
     * Takes in what the streaming instance announced. An epoch of this instance's namespace counts
     * towards the newest it knows before it is used; one older than that is not used: it comes from
     * an instance that no longer streams (or does not know yet), and what it leaves stale is not
     * invalidated in the epoch that is current.
     */
    @Override
    public void heard(Epoch epoch) {
        String own = namespace;
        if (epoch != null && epoch.namespace() != null && epoch.namespace().equals(own)) {
            newest.accumulateAndGet(epoch.number(), Math::max);
            sayWhatIsNotInvalidated(epoch);
        }
        else if (epoch != null && own != null && !Objects.equals(epoch.namespace(), saidOtherNamespace)) {
            saidOtherNamespace = epoch.namespace();
            log.warn("The streaming instance keeps the caches' second tier under {}, this instance under {} (another "
                    + "key-prefix, or another version): this instance does not use it", epoch.namespace(), own);
        }
        Epoch before = heard;
        if (epoch == null || before == null || epoch.number() != before.number()) {
            log.debug("Heard epoch {} of the caches' second tier from the streaming instance",
                    epoch == null ? null : epoch.number());
        }
        heard = epoch;
    }

    private void sayWhatIsNotInvalidated(Epoch epoch) {
        caches.forEach((cache, keyShape) -> {
            if (keyShape.equals(epoch.caches().get(cache))) {
                saidNotInvalidated.remove(cache);
            }
            else if (saidNotInvalidated.add(cache)) {
                log.warn("The streaming instance does not invalidate cache {} in the second tier{}: this instance "
                        + "does not keep it there", cache, epoch.caches().containsKey(cache)
                        ? " with keys of the type this instance has (another version?)" : "");
            }
        });
    }

    @Override
    public void forget() {
        heard = null;
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        Long epoch = epoch();
        state.put("namespace", namespace);
        state.put("epoch", epoch);
        state.put("redis", breaker.getState().toString());
        if (epoch == null) {
            state.put("why", whyNotUsed());
        }
        else if (!leads.getAsBoolean()) {
            Epoch announced = heard;
            Set<String> notInvalidated = new TreeSet<>();
            caches.forEach((cache, keyShape) -> {
                if (announced == null || !keyShape.equals(announced.caches().get(cache))) {
                    notInvalidated.add(cache);
                }
            });
            if (!notInvalidated.isEmpty()) {
                state.put("notInvalidatedByTheStreamingInstance", notInvalidated);
            }
        }
        return state;
    }

    private String whyNotUsed() {
        if (namespace == null) {
            return "which database this is could not be read yet: it names the namespace in Redis";
        }
        if (renewalNeeded) {
            return "an invalidation failed here, or a cache was emptied: this instance waits for a new epoch";
        }
        if (leads.getAsBoolean()) {
            return "Redis did not answer this instance, which streams changes";
        }
        Epoch announced = heard;
        if (announced == null) {
            return "no epoch heard from the streaming instance (none streams yet, it has no second tier, or Redis "
                    + "does not answer it)";
        }
        if (!namespace.equals(announced.namespace())) {
            return "the streaming instance keeps the tier under " + announced.namespace() + " (another key-prefix, "
                    + "or another version)";
        }
        return "waiting to hear epoch " + newest.get() + " or newer from the streaming instance";
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
        private final Class<K> keyType;
        private final String keyShape;
        private final Class<V> valueType;
        private final CacheProperties.Spec spec;
        private final Counter hits;
        private final Counter misses;
        private final AtomicBoolean saidWrongType = new AtomicBoolean();
        private volatile TierEntries<K, V> entries;

        RedisForCache(String name, Class<K> keyType, String keyShape, Class<V> valueType, CacheProperties.Spec spec) {
            this.name = name;
            this.keyType = keyType;
            this.keyShape = keyShape;
            this.valueType = valueType;
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

        /** The epoch to use for this cache now; null: Redis is not used for it now. */
        private Long epoch() {
            return epochOf(name, keyShape);
        }

        /** How entries are written; asked for only with an epoch, so once the namespace is known. */
        private TierEntries<K, V> entries() {
            TierEntries<K, V> known = entries;
            if (known == null) {
                known = new TierEntries<>(namespace + ":" + name, keyType, valueType);
                entries = known;
            }
            return known;
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
                redisKey = entries().key(epoch, key);
                seen = call("get", name, values.get(redisKey));
            }
            catch (Unavailable | JacksonException e) {
                return source.apply(key);
            }
            try {
                TierEntries.Found<V> found = entries().read(seen);
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
                String entry = entries().value(loaded);
                call("put", name, writeIfUnchanged(epoch, redisKey, seen == null ? "" : seen, entry, ttl));
            }
            catch (Unavailable | JacksonException e) {
                // Not kept; the next miss tries again.
            }
        }

        private boolean fits(Optional<V> value) {
            if (value.isEmpty() || valueType.isInstance(value.get())) {
                return true;
            }
            if (saidWrongType.compareAndSet(false, true)) {
                log.warn("Cache {} is declared to hold {}, but its source gave a {}: such values stay out of the "
                        + "second tier", name, valueType.getName(), value.get().getClass().getName());
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
            return entries().key(epoch, (K) key);
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
                    if (Boolean.TRUE.equals(call("warm-up", name, redis.hasKey(entries().warmMarker(epoch))))) {
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
                    .match(entries().pattern(epoch)).count(1000).build()).take(limit).collectList(), warmUpTimeout());
            Map<K, V> found = new LinkedHashMap<>();
            for (int from = 0; keys != null && from < keys.size(); from += CHUNK) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + CHUNK));
                List<String> read = call("warm-up", name, values.multiGet(chunk), warmUpTimeout());
                for (int i = 0; read != null && i < chunk.size(); i++) {
                    Optional<K> key = entries().keyOf(epoch, chunk.get(i));
                    try {
                        TierEntries.Found<V> entry = entries().read(read.get(i));
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
         * and marks the epoch warm if all of it went in (none was invalidated since, and every
         * entry fits).
         */
        private void fill(long epoch, long began, Map<K, V> loaded) {
            List<Map.Entry<K, V>> all = new ArrayList<>(loaded.entrySet());
            long written = 0;
            try {
                for (int from = 0; from < all.size(); from += CHUNK) {
                    List<Mono<Long>> writes = new ArrayList<>();
                    for (Map.Entry<K, V> entry : all.subList(from, Math.min(all.size(), from + CHUNK))) {
                        if (fits(Optional.of(entry.getValue()))) {
                            writes.add(redis.execute(WRITE_IF_OLDER_TOMBSTONE,
                                    List.of(entries().key(epoch, entry.getKey()), epochKey),
                                    List.of(Long.toString(began), entries().value(Optional.of(entry.getValue())),
                                            Long.toString(jitteredTtl().toMillis()), Long.toString(epoch))).next());
                        }
                    }
                    Long chunkWritten = call("warm-up", name,
                            Flux.merge(writes).filter(result -> result == 1L).count(), warmUpTimeout());
                    written += chunkWritten == null ? 0 : chunkWritten;
                }
                if (written < all.size()) {
                    // Some entry was invalidated after the warm-up began (or does not fit): the next
                    // instance warms up from the source too, rather than from a part of it.
                    log.debug("Cache {} warmed up from its source; {} of {} entries went into the second tier",
                            name, written, all.size());
                    return;
                }
                Duration marker = Duration.ofMillis((long) (spec.ttl().toMillis() * (1 - spec.ttlJitter())));
                call("warm-up", name, values.set(entries().warmMarker(epoch), "1", marker));
            }
            catch (Unavailable | JacksonException e) {
                log.info("Cache {} warmed up from its source, but not all of it went into the second tier", name);
            }
        }
    }
}
