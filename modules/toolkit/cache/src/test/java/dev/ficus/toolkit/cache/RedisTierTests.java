package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.ficus.toolkit.cache.SharedTier.Epoch;
import dev.ficus.toolkit.cache.SharedTier.ForCache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The epoch rules of the second tier against a Redis of the test's own, without an application:
 * which announced epochs an instance follows, for which caches, and how new a new epoch is.
 */
class RedisTierTests {

    private static final CacheProperties.SecondTier SETTINGS = new CacheProperties.SecondTier(true,
            Duration.ofSeconds(10), Duration.ofSeconds(1), "ficus:cache");
    private static final CacheProperties.Spec SPEC = new CacheProperties.Spec(true, 100, Duration.ofMinutes(10), 0.1,
            Duration.ZERO, Duration.ZERO, false, List.of(new CacheProperties.Invalidation("depot.things",
            List.of("id"), null)), true, String.class);
    private static final String LONG_KEYS = TierEntries.shapeOf(Long.class);

    private RedisProcess redis;
    private LettuceConnectionFactory connections;

    @BeforeEach
    void startRedis() {
        redis = new RedisProcess();
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
        connections.afterPropertiesSet();
        connections.start();
    }

    @AfterEach
    void stopRedis() {
        connections.destroy();
        redis.close();
    }

    @Test
    void theNamespaceNamesTheStreamAndTheDatabaseInOneHashTag() {
        assertThat(tier("7301234567890123456/shop", () -> false).namespace())
                .isEqualTo("ficus:cache:{ficus@7301234567890123456/shop}");
        assertThat(tier(() -> {
            throw new IllegalStateException("the database does not answer");
        }, () -> false).epoch()).as("not used while the database is not known").isNull();
    }

    /**
     * An instance streamed, and meanwhile heard the instance that streamed before it (which had
     * not noticed yet). Once it stops streaming, it must not go back to that older epoch: what the
     * older epoch holds was not invalidated while this instance streamed.
     */
    @Test
    void anInstanceThatStreamedDoesNotFollowAnOlderEpochAfterwards() {
        AtomicBoolean streaming = new AtomicBoolean(true);
        RedisTier tier = tier("1/shop", streaming::get);
        ForCache<Long, String> things = tier.forCache("things", Long.class, String.class, SPEC);
        tier.lead();
        long led = tier.epoch();

        tier.heard(new Epoch(tier.namespace(), led - 1, Map.of("things", LONG_KEYS)));
        streaming.set(false);

        assertThat(tier.epoch()).as("not the previous leader's epoch").isNull();
        assertThat(things.load(1L, key -> Optional.of("from the source"))).contains("from the source");
        assertThat(redis.commands().keys("*things*")).isEmpty();

        tier.heard(new Epoch(tier.namespace(), led + 1, Map.of("things", LONG_KEYS)));
        assertThat(tier.epoch()).as("the next leader's").isEqualTo(led + 1);
    }

    /** Redis lost the epoch, and the instance that starts the next one knows none: it is newer all the same. */
    @Test
    void aNewEpochIsNewerThanAnyBeforeEvenIfRedisLostItAndTheCallerKnowsNone() {
        RedisTier first = tier("1/shop", () -> true);
        first.lead();
        long before = first.epoch();
        redis.commands().del(first.namespace() + ":epoch");

        RedisTier next = tier("1/shop", () -> true);
        next.lead();

        assertThat(next.epoch()).isGreaterThan(before);
    }

    /**
     * Redis restarted and loaded older data (a snapshot, or a replica that was behind took over):
     * the epoch is there, but so may be entries that were invalidated since. The streaming
     * instance notices another Redis process, starts a new epoch and has every instance empty its
     * caches kept there (they may have read such entries meanwhile).
     */
    @Test
    void aRedisThatCameBackWithOlderDataStartsANewEpochAndEmptiesTheCaches() {
        RedisTier tier = tier("1/shop", () -> true);
        tier.forCache("things", Long.class, String.class, SPEC);
        tier.lead();
        long before = tier.epoch();
        List<String> emptied = new ArrayList<>();
        tier.announce((epoch, caches) -> emptied.addAll(caches));
        assertThat(emptied).isEmpty();

        redis.kill();
        redis.start();
        redis.commands().set(tier.namespace() + ":epoch", Long.toString(before));

        Epoch[] announced = new Epoch[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            tier.announce((epoch, caches) -> {
                announced[0] = epoch;
                emptied.addAll(caches);
            });
            return announced[0] != null;
        });
        assertThat(announced[0].number()).isGreaterThan(before);
        assertThat(emptied).containsExactly("things");
    }

    /**
     * An instance follows only an epoch of its own namespace, and uses it only for the caches the
     * streaming instance invalidates there with keys of the same shape: the streaming instance's
     * tombstones would miss any other.
     */
    @Test
    void anInstanceUsesAnEpochOfItsNamespaceOnlyForTheCachesTheStreamingInstanceInvalidates() {
        RedisTier tier = tier("1/shop", () -> false);
        ForCache<Long, String> things = tier.forCache("things", Long.class, String.class, SPEC);
        ForCache<String, String> byCode = tier.forCache("things-by-code", String.class, String.class, SPEC);
        String namespace = tier.namespace();
        redis.commands().set(namespace + ":epoch", "5");

        tier.heard(new Epoch("ficus:cache:{ficus@2/shop}", 5, Map.of("things", LONG_KEYS)));
        assertThat(tier.epoch()).as("another database's epoch").isNull();
        assertThat(things.load(1L, key -> Optional.of("one"))).contains("one");
        assertThat(redis.commands().keys(namespace + ":things:*")).isEmpty();

        tier.heard(new Epoch(namespace, 5, Map.of("things", LONG_KEYS, "things-by-code", LONG_KEYS)));
        assertThat(tier.epoch()).isEqualTo(5);
        assertThat(things.load(1L, key -> Optional.of("one"))).contains("one");
        assertThat(byCode.load("C1", code -> Optional.of("one"))).contains("one");
        assertThat(redis.commands().get(namespace + ":things:5:1")).startsWith("=").endsWith("\"one\"");
        assertThat(redis.commands().keys(namespace + ":things-by-code:*")).as("keys of another shape").isEmpty();
        assertThat(tier.state()).containsEntry("notInvalidatedByTheStreamingInstance", Set.of("things-by-code"));

        tier.heard(new Epoch(namespace, 5, Map.of("things", LONG_KEYS)));
        assertThat(byCode.load("C1", code -> Optional.of("one"))).contains("one");
        assertThat(redis.commands().keys(namespace + ":things-by-code:*")).as("a cache not named").isEmpty();
        assertThat(things.load(1L, key -> Optional.of("not read"))).as("from the second tier").contains("one");
    }

    /** What a streaming instance announces: its namespace and epoch, and each of its caches with its keys' shape. */
    @Test
    void theStreamingInstanceAnnouncesItsNamespaceAndCaches() {
        RedisTier tier = tier("1/shop", () -> true);
        tier.forCache("things", Long.class, String.class, SPEC);
        tier.forCache("things-by-code", String.class, String.class, SPEC);
        tier.lead();

        Epoch[] announced = new Epoch[1];
        tier.announce((epoch, emptied) -> announced[0] = epoch);

        assertThat(announced[0]).isEqualTo(new Epoch(tier.namespace(), tier.epoch(), Map.of("things", LONG_KEYS,
                "things-by-code", TierEntries.shapeOf(String.class))));
    }

    private RedisTier tier(String database, BooleanSupplier leads) {
        return tier(() -> database, leads);
    }

    private RedisTier tier(Supplier<String> database, BooleanSupplier leads) {
        return new RedisTier(connections, SETTINGS, "ficus", database, leads, new SimpleMeterRegistry());
    }
}
