package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the application's caches ({@code ficus.cache.*}).
 *
 * @param caches          per cache name
 * @param maxStaleness    how far behind the database a cache invalidated by change data capture
 *                        may be: when this instance cannot show that it heard every eviction of
 *                        changes committed up to this long ago (no instance streams, the stream
 *                        lags, the eviction channel is down), such caches are bypassed and reads go
 *                        to the database until it can
 * @param evictionChannel how evictions reach the instances that do not stream
 * @param secondTier      a tier in Redis under the in-process caches, shared by every instance
 */
@ConfigurationProperties("ficus.cache")
public record CacheProperties(
        @DefaultValue Map<String, Spec> caches,
        @DefaultValue("5s") Duration maxStaleness,
        @DefaultValue EvictionChannel evictionChannel,
        @DefaultValue SecondTier secondTier) {

    public CacheProperties {
        if (evictionChannel.heartbeatInterval().compareTo(maxStaleness.dividedBy(2)) > 0) {
            throw new IllegalArgumentException("ficus.cache.eviction-channel.heartbeat-interval must be at most half of "
                    + "ficus.cache.max-staleness (" + maxStaleness + "), or caches are bypassed while all is well");
        }
    }

    Spec specOf(String name) {
        return caches.getOrDefault(name, Spec.DEFAULTS);
    }

    /**
     * One cache.
     *
     * @param enabled       false turns the cache into a pass-through: every read goes to the source
     * @param maximumSize   entries kept; the least likely to be used again go first
     * @param ttl           how long an entry lives at most
     * @param ttlJitter     share by which each entry's TTL randomly differs (0.1 = up to 10% either
     *                      way), so entries loaded together do not all expire together
     * @param refreshAfter  after this long, the next read triggers one background reload while the
     *                      current value is still served; zero turns refresh-ahead off
     * @param negativeTtl   how long "not found" is cached; zero caches only what exists
     * @param warmUp        load entries before the instance reports ready
     * @param invalidatedBy rows whose changes evict entries
     * @param secondTier    whether the cache keeps its entries in the second tier too, when
     *                      {@code ficus.cache.second-tier.enabled}; only caches invalidated by change
     *                      data capture do, as only the change stream sees every change
     * @param valueType     the class of the values (for example {@code com.example.shop.Product}),
     *                      which the second tier reads them back as, for a cache created without
     *                      one in code; a cache without either has no second tier
     */
    public record Spec(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10000") long maximumSize,
            @DefaultValue("10m") Duration ttl,
            @DefaultValue("0.1") double ttlJitter,
            @DefaultValue("0s") Duration refreshAfter,
            @DefaultValue("0s") Duration negativeTtl,
            @DefaultValue("false") boolean warmUp,
            @DefaultValue List<Invalidation> invalidatedBy,
            @DefaultValue("true") boolean secondTier,
            Class<?> valueType) {

        static final Spec DEFAULTS = new Spec(true, 10_000, Duration.ofMinutes(10), 0.1, Duration.ZERO, Duration.ZERO,
                false, List.of(), true, null);

        public Spec {
            if (ttlJitter < 0 || ttlJitter >= 1) {
                throw new IllegalArgumentException("ttl-jitter must be at least 0 and below 1, not " + ttlJitter);
            }
            if (ttl.isZero() || ttl.isNegative()) {
                throw new IllegalArgumentException("ttl must be positive");
            }
        }
    }

    /**
     * The eviction channel: PostgreSQL's LISTEN/NOTIFY.
     *
     * @param heartbeatInterval how often the streaming instance says how current it is, also while
     *                          nothing changes; with the stream's own heartbeat it sets the age of
     *                          what a quiet instance knows
     * @param checkInterval     how often a listening connection is checked with a query: a dead one
     *                          (a socket cut without a word) is found within this plus {@code check-timeout}
     * @param checkTimeout      how long that query may take before the connection counts as dead
     * @param maxReconnectBackoff longest pause between attempts to listen again; it starts at a
     *                          tenth of a second and doubles
     */
    public record EvictionChannel(
            @DefaultValue("1s") Duration heartbeatInterval,
            @DefaultValue("2s") Duration checkInterval,
            @DefaultValue("2s") Duration checkTimeout,
            @DefaultValue("10s") Duration maxReconnectBackoff) {
    }

    /**
     * The second tier: Redis, through the application's Spring Data Redis connection, under the
     * in-process caches. It is read on a miss and filled by loads, and it is invalidated by the
     * same change stream as the first tier. A Redis that is down or slow costs a database read,
     * never an error.
     *
     * @param enabled   whether caches invalidated by change data capture keep their entries in
     *                  Redis too (each cache may opt out with {@code ficus.cache.caches.<name>.second-tier});
     *                  needs a Redis connection (spring-boot-starter-data-redis) and a change stream
     * @param timeout   how long one Redis command may take before the read goes to the database
     * @param openFor   after repeated failures, how long Redis is left alone before it is tried again
     * @param keyPrefix what every Redis key of the caches starts with, before the change stream's
     *                  name and the database's identity (its cluster's system identifier and its
     *                  name), which keep applications that share a Redis apart by themselves
     */
    public record SecondTier(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("200ms") Duration timeout,
            @DefaultValue("5s") Duration openFor,
            @DefaultValue("ficus:cache") String keyPrefix) {

        public SecondTier {
            if (timeout.isZero() || timeout.isNegative() || openFor.isZero() || openFor.isNegative()) {
                throw new IllegalArgumentException("ficus.cache.second-tier.timeout and open-for must be positive");
            }
            if (keyPrefix.isBlank()) {
                throw new IllegalArgumentException("ficus.cache.second-tier.key-prefix must not be blank");
            }
        }
    }

    /**
     * Changes of {@code table} evict the entries whose keys they give: INSERT (which may end a
     * cached "not found"), UPDATE and DELETE evict the keys of the old and of the new row, TRUNCATE
     * empties the cache.
     *
     * @param table      {@code schema.table} whose changes evict
     * @param keyColumns columns of the changed row that make the key, for a cache keyed by that row
     * @param keyQuery   instead, a query from a changed row to the keys it makes stale, for a cache
     *                   of a parent that the row belongs to: the row's columns are its named
     *                   parameters, each result row is a key (e.g. from a visit to its pet's owner:
     *                   {@code select owner_id from pets where id = :pet_id}). It runs on the
     *                   streaming instance when the change arrives and reads the database as it is
     *                   then, so each table on the path to the key needs an invalidation of its own
     *                   (a pet moving to another owner is the pets table's change)
     */
    public record Invalidation(String table, List<String> keyColumns, String keyQuery) {

        public Invalidation {
            if (table == null || !table.contains(".")) {
                throw new IllegalArgumentException("An invalidation names a schema.table, not " + table);
            }
            boolean byColumns = keyColumns != null && !keyColumns.isEmpty();
            boolean byQuery = keyQuery != null && !keyQuery.isBlank();
            if (byColumns == byQuery) {
                throw new IllegalArgumentException("An invalidation of " + table + " gives either key-columns or a "
                        + "key-query");
            }
            keyColumns = byColumns ? List.copyOf(keyColumns) : List.of();
            keyQuery = byQuery ? keyQuery : null;
        }
    }
}
