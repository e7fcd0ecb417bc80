package dev.ficus.toolkit.cache;

import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

import dev.ficus.toolkit.cache.CaffeineCacheAside.Invalidated;
import dev.ficus.toolkit.cdc.ChangeEvent;
import dev.ficus.toolkit.cdc.ChangeHandler;

/**
 * Evicts what a committed change makes stale, in every cache whose {@code invalidated-by} names
 * the changed table. It works for any write, including those that bypass the application. Only
 * the instance that streams changes runs it; it tells the other instances through the
 * {@link EvictionBroadcast}.
 *
 * <p>At the end of each batch, in this order: the second tier forgets the stale entries, this
 * instance evicts them, and the other instances are told (with the second tier's epoch). No
 * instance can refill its memory from a second-tier entry that the batch made stale.
 */
class CacheInvalidation implements ChangeHandler {

    private static final Logger log = LoggerFactory.getLogger(CacheInvalidation.class);

    /** What to evict from one cache: the entry whose key is made of {@code keyColumns}, or all. */
    record Eviction(String cache, Map<String, Object> keyColumns) {

        static Eviction all(String cache) {
            return new Eviction(cache, null);
        }

        boolean everything() {
            return keyColumns == null;
        }
    }

    /** A cache's invalidation by one table; the key query, if any, parsed once. */
    private record Binding(String cache, List<String> keyColumns, String keyQuery, ParsedSql parsedKeyQuery) {

        Binding(String cache, CacheProperties.Invalidation invalidation) {
            this(cache, invalidation.keyColumns(), invalidation.keyQuery(), invalidation.keyQuery() == null ? null
                    : NamedParameterUtils.parseSqlStatement(invalidation.keyQuery()));
        }
    }

    private final CaffeineCaches caches;
    private final EvictionBroadcast broadcast;
    private final SharedTier secondTier;
    private final NamedParameterJdbcTemplate keyQueries;
    private final Function<String, Counter> keyQueryFailures;
    private final Map<String, List<Binding>> bindingsByTable;
    /** Made stale during the current batch: evicted here and told to the other instances at its end. */
    private final Set<Eviction> toBroadcast = new LinkedHashSet<>();
    /** Commit time of the batch's earliest change that evicted something. */
    private Instant batchCommittedAt;

    /** @param keyQueries runs the key queries, on the database the stream captures */
    CacheInvalidation(CaffeineCaches caches, EvictionBroadcast broadcast, NamedParameterJdbcTemplate keyQueries,
            MeterRegistry meters) {
        this.caches = caches;
        this.broadcast = broadcast;
        this.secondTier = caches.secondTier();
        this.keyQueries = keyQueries;
        this.keyQueryFailures = cache -> Counter.builder("ficus.cache.key-query.failures")
                .description("Changes whose key query failed, so that the whole cache was emptied instead")
                .tag("cache", cache)
                .register(meters);
        this.bindingsByTable = caches.properties().caches().entrySet().stream()
                .flatMap(cache -> cache.getValue().invalidatedBy().stream()
                        .map(invalidation -> Map.entry(invalidation.table(),
                                new Binding(cache.getKey(), invalidation))))
                .collect(Collectors.groupingBy(Map.Entry::getKey,
                        Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
    }

    Set<String> tables() {
        return bindingsByTable.keySet();
    }

    @Override
    public void handle(ChangeEvent change) {
        for (Binding binding : bindingsByTable.getOrDefault(change.table(), List.of())) {
            if (change.operation() == ChangeEvent.Operation.TRUNCATE) {
                evict(Eviction.all(binding.cache()));
                continue;
            }
            try {
                keysOf(change.before(), binding, false).forEach(key -> evict(new Eviction(binding.cache(), key)));
                keysOf(change.after(), binding, true).forEach(key -> evict(new Eviction(binding.cache(), key)));
            }
            catch (RuntimeException e) {
                // A key query that cannot run (a wrong query, a missing grant, the database gone)
                // must not stop the stream for every subscriber: the whole cache goes instead.
                log.warn("Cache {}: the key query for a change of {} failed ({}); emptying the cache instead",
                        binding.cache(), change.table(), e.toString());
                keyQueryFailures.apply(binding.cache()).increment();
                evict(Eviction.all(binding.cache()));
            }
        }
        if (!toBroadcast.isEmpty() && (batchCommittedAt == null || change.committedAt().isBefore(batchCommittedAt))) {
            batchCommittedAt = change.committedAt();
        }
    }

    private void evict(Eviction eviction) {
        toBroadcast.add(eviction);
    }

    /** A term of streaming starts here: the second tier starts a new epoch. */
    @Override
    public void leading(String term) {
        secondTier.lead();
    }

    /**
     * The other instances evict before the batch counts as done: none of them is left stale. If
     * telling them fails, the batch's changes come again and are evicted (and told) again.
     */
    @Override
    public void endOfBatch() {
        if (toBroadcast.isEmpty()) {
            return;
        }
        List<Eviction> evictions = List.copyOf(toBroadcast);
        Instant committedAt = batchCommittedAt;
        toBroadcast.clear();
        batchCommittedAt = null;
        secondTier.invalidate(staleInSecondTier(evictions), epoch -> {
            evictions.forEach(eviction -> apply(eviction, Invalidated.CHANGE_DATA_CAPTURE));
            broadcast.evictedHere(committedAt);
            broadcast.publish(evictions, committedAt, epoch);
        });
    }

    /** The entries of the evictions that caches with a second tier keep there; a null key for a whole cache. */
    private List<SharedTier.Stale> staleInSecondTier(List<Eviction> evictions) {
        List<SharedTier.Stale> stale = new ArrayList<>();
        for (Eviction eviction : evictions) {
            withSecondTier(eviction.cache()).ifPresent(cache -> {
                if (eviction.everything()) {
                    stale.add(new SharedTier.Stale(cache.secondTier(), null));
                    return;
                }
                try {
                    Object key = CacheKeys.keyOf(eviction.keyColumns(), List.copyOf(eviction.keyColumns().keySet()),
                            cache.keyType());
                    if (key != null) {
                        stale.add(new SharedTier.Stale(cache.secondTier(), key));
                    }
                }
                catch (RuntimeException e) {
                    // The cache is emptied instead (see apply), and so are its entries in the second tier.
                    stale.add(new SharedTier.Stale(cache.secondTier(), null));
                }
            });
        }
        return stale;
    }

    /** The batch comes again after the stream's restart: it is evicted, and told, then. */
    @Override
    public void abandonBatch() {
        toBroadcast.clear();
        batchCommittedAt = null;
    }

    /**
     * Evictions that could not be told to the other instances must not be skipped: the stream
     * stops there and tries again, rather than move on and leave them stale.
     */
    @Override
    public Failure onFailure(ChangeEvent change, Exception error) {
        return Failure.HALT;
    }

    /**
     * An eviction another instance's application asked for ({@link CacheAside#evictEverywhere}):
     * the second tier forgets the entry before this instance's memory does, since the asking
     * instance does so only after its transaction committed, when this one may already read.
     */
    void applyDirect(Eviction eviction) {
        withSecondTier(eviction.cache()).ifPresent(cache -> {
            if (eviction.everything()) {
                cache.secondTier().invalidateAll();
                return;
            }
            try {
                invalidateInSecondTier(cache, eviction.keyColumns());
            }
            catch (RuntimeException e) {
                cache.secondTier().invalidateAll();
            }
        });
        apply(eviction, Invalidated.BROADCAST);
    }

    private Optional<CaffeineCacheAside<?, ?>> withSecondTier(String name) {
        return caches.find(name).<CaffeineCacheAside<?, ?>>map(cache -> (CaffeineCacheAside<?, ?>) cache)
                .filter(cache -> cache.secondTier().active());
    }

    private static <K> void invalidateInSecondTier(CaffeineCacheAside<K, ?> cache, Map<String, Object> keyColumns) {
        Object key = CacheKeys.keyOf(keyColumns, List.copyOf(keyColumns.keySet()), cache.keyType());
        if (key != null) {
            cache.secondTier().invalidate(cache.keyType().cast(key));
        }
    }

    /** Evicts in this instance; a key that does not fit the cache's key type empties the cache. */
    void apply(Eviction eviction, Invalidated by) {
        caches.find(eviction.cache()).ifPresent(found -> {
            CaffeineCacheAside<?, ?> cache = (CaffeineCacheAside<?, ?>) found;
            if (eviction.everything()) {
                cache.evictAll(by);
                return;
            }
            try {
                evictKey(cache, eviction.keyColumns(), by);
            }
            catch (RuntimeException e) {
                log.warn("Cache {}: cannot make a key of {} ({}); emptying the cache instead", cache.name(),
                        eviction.keyColumns(), e.toString());
                cache.evictAll(by);
            }
        });
    }

    private static <K> void evictKey(CaffeineCacheAside<K, ?> cache, Map<String, Object> keyColumns, Invalidated by) {
        Object key = CacheKeys.keyOf(keyColumns, List.copyOf(keyColumns.keySet()), cache.keyType());
        if (key != null) {
            cache.evict(cache.keyType().cast(key), by);
        }
    }

    /**
     * The keys a row image makes stale, each as its columns in key order: the image's key columns
     * (none if it lacks one of them), or what the key query finds for it. A before image may lack
     * columns (a table without full replica identity sends only its key); a new row lacking a
     * column the query names means the query is wrong. Text values are bound untyped, so that
     * PostgreSQL reads them as the column's type (uuid, an enum, jsonb), as the change stream
     * sends those as text.
     */
    private List<Map<String, Object>> keysOf(Map<String, Object> image, Binding binding, boolean complete) {
        if (image == null) {
            return List.of();
        }
        if (binding.keyQuery() != null) {
            MapSqlParameterSource parameters = new MapSqlParameterSource();
            image.forEach((column, value) -> parameters.addValue(column,
                    value instanceof String ? new SqlParameterValue(Types.OTHER, value) : value));
            try {
                NamedParameterUtils.buildValueArray(binding.parsedKeyQuery(), parameters, null);
            }
            catch (InvalidDataAccessApiUsageException missing) {
                if (complete) {
                    throw new IllegalStateException("Cache " + binding.cache() + ": the key query names a column "
                            + "its table does not have (" + missing.getMessage() + ")", missing);
                }
                return List.of();
            }
            return keyQueries.queryForList(binding.keyQuery(), parameters);
        }
        if (!image.keySet().containsAll(binding.keyColumns())) {
            return List.of();
        }
        Map<String, Object> key = new LinkedHashMap<>();
        binding.keyColumns().forEach(column -> key.put(column, image.get(column)));
        return List.of(key);
    }
}
