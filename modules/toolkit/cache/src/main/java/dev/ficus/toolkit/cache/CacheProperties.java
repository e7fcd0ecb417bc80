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
 */
@ConfigurationProperties("ficus.cache")
public record CacheProperties(
        @DefaultValue Map<String, Spec> caches,
        @DefaultValue("5s") Duration maxStaleness,
        @DefaultValue EvictionChannel evictionChannel) {

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
     */
    public record Spec(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10000") long maximumSize,
            @DefaultValue("10m") Duration ttl,
            @DefaultValue("0.1") double ttlJitter,
            @DefaultValue("0s") Duration refreshAfter,
            @DefaultValue("0s") Duration negativeTtl,
            @DefaultValue("false") boolean warmUp,
            @DefaultValue List<Invalidation> invalidatedBy) {

        static final Spec DEFAULTS = new Spec(true, 10_000, Duration.ofMinutes(10), 0.1, Duration.ZERO, Duration.ZERO,
                false, List.of());

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
     * Changes of {@code table} evict the entries whose key is made of {@code keyColumns}: INSERT
     * (which may end a cached "not found"), UPDATE and DELETE evict the old and the new key,
     * TRUNCATE empties the cache.
     */
    public record Invalidation(String table, List<String> keyColumns) {

        public Invalidation {
            if (table == null || !table.contains(".") || keyColumns == null || keyColumns.isEmpty()) {
                throw new IllegalArgumentException("An invalidation names a schema.table and its key columns");
            }
            keyColumns = List.copyOf(keyColumns);
        }
    }
}
