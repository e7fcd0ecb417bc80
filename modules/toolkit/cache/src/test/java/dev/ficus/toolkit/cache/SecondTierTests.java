package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cache.CacheTestApplication.Depot;
import dev.ficus.toolkit.cache.CacheTestApplication.Sources;
import dev.ficus.toolkit.cdc.ChangeStream;
import dev.ficus.toolkit.cdc.ChangeStream.State;
import dev.ficus.toolkit.faultproxy.FaultyProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Instances on one database and one Redis of the test's own, one of them streaming: what one
 * instance loads, another reads from Redis; committed changes are read fresh everywhere; a Redis
 * that dies, or goes silent, costs database reads and never an error; a new instance warms up
 * from Redis. "things" declares its value type in code, "things-by-code" in the settings.
 */
class SecondTierTests {

    private static final AtomicLong IDS = new AtomicLong();
    private static final Duration TIMEOUT = Duration.ofMillis(200);

    @Test
    void whatOneInstanceLoadedAnotherReadsFromTheSecondTierWithoutItsSource() {
        try (RedisProcess redis = new RedisProcess();
             ConfigurableApplicationContext leader = start(redis.port());
             ConfigurableApplicationContext follower = start(redis.port())) {
            awaitLeaderAndFollowerUsingTheSecondTier(leader, follower);
            long id = insertInvalidated(redis, leader, "lamp");
            awaitTombstone(redis, entryKey(leader, "things-by-code", "\"C" + id + "\""));
            long missing = IDS.incrementAndGet() + 1_000_000;

            assertThat(depot(follower).names().get(id)).contains("lamp");
            assertThat(depot(follower).namesByCode().get("C" + id)).contains("lamp");
            assertThat(depot(follower).names().get(missing)).isEmpty();
            assertThat(sources(follower).calls("things")).isEqualTo(2);
            assertThat(sources(follower).calls("things-by-code")).isEqualTo(1);

            assertThat(depot(leader).names().get(id)).contains("lamp");
            assertThat(depot(leader).namesByCode().get("C" + id)).contains("lamp");
            assertThat(depot(leader).names().get(missing)).as("a cached absence (negative-ttl)").isEmpty();
            assertThat(sources(leader).calls("things")).as("read from the second tier").isZero();
            assertThat(sources(leader).calls("things-by-code")).isZero();
            assertThat(count(leader, "ficus.cache.second-tier.hits", "things")).isEqualTo(2);
            assertThat(count(follower, "ficus.cache.second-tier.misses", "things")).isEqualTo(2);
            assertThat(redis.commands().get(entryKey(leader, "things", Long.toString(id)))).startsWith("=")
                    .endsWith("\"lamp\"");
            assertThat(health(follower)).containsEntry("redis", "CLOSED");
        }
    }

    @Test
    void aCommittedUpdateIsReadFreshOnEveryInstanceAndLeavesATombstone() {
        try (RedisProcess redis = new RedisProcess();
             ConfigurableApplicationContext leader = start(redis.port());
             ConfigurableApplicationContext follower = start(redis.port())) {
            awaitLeaderAndFollowerUsingTheSecondTier(leader, follower);
            long id = insertInvalidated(redis, leader, "kettle");
            assertThat(depot(follower).names().get(id)).contains("kettle");
            assertThat(depot(leader).names().get(id)).contains("kettle");
            assertThat(sources(leader).calls("things")).isZero();

            JdbcClient jdbc = leader.getBean(JdbcClient.class);
            jdbc.sql("update depot.things set name = 'tea kettle' where id = ?").param(id).update();

            eventually(() -> depot(follower).names().get(id), Optional.of("tea kettle"));
            eventually(() -> depot(leader).names().get(id), Optional.of("tea kettle"));
            String entry = redis.commands().get(entryKey(leader, "things", Long.toString(id)));
            assertThat(entry).as("a tombstone, or the new value loaded after it").satisfiesAnyOf(
                    value -> assertThat(value).startsWith("~"),
                    value -> assertThat(value).startsWith("=").endsWith("\"tea kettle\""));
        }
    }

    /**
     * The loader race: an instance reads the old row from the database, the update commits and the
     * streaming instance invalidates the entry, and only then does the first instance try to keep
     * what it read. Its write finds the entry changed and is dropped.
     */
    @Test
    void aLoadThatReadTheRowBeforeAnUpdateDoesNotOverwriteTheInvalidation() throws Exception {
        try (RedisProcess redis = new RedisProcess();
             ConfigurableApplicationContext leader = start(redis.port());
             ConfigurableApplicationContext follower = start(redis.port())) {
            awaitLeaderAndFollowerUsingTheSecondTier(leader, follower);
            long id = insertInvalidated(redis, leader, "old");
            String key = entryKey(leader, "things", Long.toString(id));
            CountDownLatch readTheOldRow = new CountDownLatch(1);
            CountDownLatch mayKeepIt = new CountDownLatch(1);
            sources(follower).afterThingRead = read -> {
                if (read == id && readTheOldRow.getCount() > 0) {
                    readTheOldRow.countDown();
                    awaitLatch(mayKeepIt);
                }
            };
            AtomicReference<Optional<String>> racingRead = new AtomicReference<>();
            Thread reader = new Thread(() -> racingRead.set(depot(follower).names().get(id)));
            reader.start();
            assertThat(readTheOldRow.await(10, TimeUnit.SECONDS)).isTrue();

            leader.getBean(JdbcClient.class).sql("update depot.things set name = 'new' where id = ?").param(id)
                    .update();
            String oldTombstone = redis.commands().get(key);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> !oldTombstone.equals(redis.commands().get(key)));
            assertThat(redis.commands().get(key)).as("the update's tombstone").startsWith("~");
            mayKeepIt.countDown();
            reader.join(10_000);

            assertThat(racingRead.get()).as("the read that began before the update").contains("old");
            assertThat(redis.commands().get(key)).as("the late write was dropped").startsWith("~");
            assertThat(depot(leader).names().get(id)).contains("new");
            eventually(() -> depot(follower).names().get(id), Optional.of("new"));
        }
    }

    /**
     * Redis killed: reads are answered by the database, changes are still evicted everywhere, and
     * the instances stop using Redis. Started again (empty), it is used again, in a new epoch.
     */
    @Test
    void aKilledRedisCostsDatabaseReadsAndIsUsedAgainOnceItIsBack() {
        try (RedisProcess redis = new RedisProcess();
             ConfigurableApplicationContext leader = start(redis.port());
             ConfigurableApplicationContext follower = start(redis.port())) {
            awaitLeaderAndFollowerUsingTheSecondTier(leader, follower);
            long before = insertInvalidated(redis, leader, "before");
            assertThat(depot(follower).names().get(before)).contains("before");
            long epoch = epoch(follower);

            redis.kill();
            long during = insert(leader, "during");
            assertThat(depot(follower).names().get(during)).contains("during");
            assertThat(depot(leader).names().get(during)).contains("during");
            assertThat(depot(leader).names().get(before)).contains("before");
            leader.getBean(JdbcClient.class).sql("update depot.things set name = 'changed' where id = ?")
                    .param(before).update();
            eventually(() -> depot(follower).names().get(before), Optional.of("changed"));
            eventually(() -> depot(leader).names().get(before), Optional.of("changed"));
            await().atMost(Duration.ofSeconds(10)).until(() -> tier(follower).epoch() == null
                    && tier(leader).epoch() == null);
            assertThat(health(follower)).containsKey("why");
            assertThat(errors(leader) + errors(follower)).isPositive();

            redis.start();
            awaitSecondTierServes(redis, leader, follower);
            assertThat(epoch(follower)).as("a new epoch").isGreaterThan(epoch);
        }
    }

    /**
     * Redis goes silent (a blackholed connection: no answer, no error): each read waits at most
     * about the command timeout, then the database answers; once the breaker opens, or the
     * streaming instance stops announcing an epoch, reads skip Redis at once.
     */
    @Test
    void aSilentRedisDelaysReadsByAtMostTheTimeout() {
        try (RedisProcess redis = new RedisProcess();
             FaultyProxy proxy = new FaultyProxy(redis.port());
             ConfigurableApplicationContext leader = start(proxy.port());
             ConfigurableApplicationContext follower = start(proxy.port())) {
            awaitLeaderAndFollowerUsingTheSecondTier(leader, follower);
            long first = insertInvalidated(redis, leader, "first");
            assertThat(depot(follower).names().get(first)).contains("first");
            List<Long> ids = LongStream.range(0, 12).mapToObj(i -> insertInvalidated(redis, leader, "thing " + i))
                    .toList();

            proxy.blackhole();
            List<Long> waiting = timedReads(follower, ids, 0, 6);
            assertThat(waiting).as("each read waits at most about the timeout").allSatisfy(elapsed ->
                    assertThat(elapsed).isLessThan(TIMEOUT.toMillis() + 800));
            await().atMost(Duration.ofSeconds(10)).until(() -> tier(follower).epoch() == null);
            assertThat(timedReads(follower, ids, 6, 12)).as("Redis is skipped once no epoch is announced")
                    .allSatisfy(elapsed -> assertThat(elapsed).isLessThan(TIMEOUT.toMillis()));
            assertThat(depot(leader).names().get(first)).contains("first");
            assertThat(errors(follower)).isPositive();

            proxy.heal();
            awaitSecondTierServes(redis, leader, follower);
        }
    }

    /**
     * The application empties a cache on one instance: that instance starts a new epoch, and the
     * streaming instance adopts it; what the old epoch held is read by none.
     */
    @Test
    void anInstanceThatEmptiesACacheStartsANewEpochForAll() {
        try (RedisProcess redis = new RedisProcess();
             ConfigurableApplicationContext leader = start(redis.port());
             ConfigurableApplicationContext follower = start(redis.port())) {
            awaitLeaderAndFollowerUsingTheSecondTier(leader, follower);
            long id = insertInvalidated(redis, leader, "kept");
            assertThat(depot(leader).names().get(id)).contains("kept");
            long epoch = epoch(leader);

            depot(follower).names().evictAll();

            await().atMost(Duration.ofSeconds(10)).until(() -> tier(follower).epoch() != null
                    && tier(follower).epoch() > epoch && tier(follower).epoch().equals(tier(leader).epoch()));
            assertThat(depot(follower).names().get(id)).contains("kept");
            assertThat(sources(follower).calls("things")).as("not from the old epoch").isEqualTo(1);
        }
    }

    /**
     * A new instance warms up from what other instances put into Redis: no query, while the first
     * instance's warm-up had to read the database; and reading every warmed key costs none.
     */
    @Test
    void aNewInstanceWarmsUpFromTheSecondTierNotFromTheDatabase() {
        try (RedisProcess redis = new RedisProcess();
             ConfigurableApplicationContext leader = start(redis.port())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> state(leader) == State.STREAMING
                    && tier(leader).epoch() != null);
            List<Long> ids = LongStream.range(0, 200).mapToObj(i -> insert(leader, "warm " + i)).toList();
            awaitTombstone(redis, entryKey(leader, "things", Long.toString(ids.get(ids.size() - 1))));
            // A warm-up replaces only tombstones older than its start minus a second, and marks the
            // tier warm only if it replaced them all: the first instance starts after that second.
            await().pollDelay(Duration.ofMillis(1_100)).atMost(Duration.ofSeconds(2)).until(() -> true);
            try (ConfigurableApplicationContext first = start(redis.port(),
                    "--ficus.cache.caches.things.warm-up=true")) {
                awaitWarm(first);
                assertThat(sources(first).calls("things-warm-up")).isEqualTo(1);
                assertThat(warmedUpFrom(first)).isEqualTo("source");
                try (ConfigurableApplicationContext next = start(redis.port(),
                        "--ficus.cache.caches.things.warm-up=true")) {
                    awaitWarm(next);
                    assertThat(warmedUpFrom(next)).isEqualTo("second-tier");
                    assertThat(sources(next).calls("things-warm-up")).as("no warm-up query").isZero();
                    assertThat(next.getBean(MeterRegistry.class).counter("ficus.cache.warm-up.entries", "cache",
                            "things", "from", "second-tier").count()).isGreaterThanOrEqualTo(ids.size());
                    for (int i = 0; i < ids.size(); i++) {
                        assertThat(depot(next).names().get(ids.get(i))).contains("warm " + i);
                    }
                    assertThat(sources(next).calls("things")).as("every key was warm").isZero();
                }
            }
        }
    }

    /**
     * Two applications of the same stream name on one Redis, each on a database of its own (the
     * same database name, on two servers): the same keys, loaded with different values, stay
     * different in each, and a new epoch of one is not the other's.
     */
    @Test
    void twoApplicationsOfOneStreamNameOnTwoDatabasesShareNeitherEntriesNorEpochs() {
        try (RedisProcess redis = new RedisProcess();
             ConfigurableApplicationContext shop = start(redis.port());
             ConfigurableApplicationContext other = start(redis.port(),
                     "--ficus.embedded-postgres.server-settings.cluster_name=other_shop")) {
            for (ConfigurableApplicationContext context : List.of(shop, other)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> state(context) == State.STREAMING
                        && context.getBean(Freshness.class).current() && tier(context).epoch() != null);
            }
            assertThat(tier(shop).namespace()).startsWith("ficus:cache:{ficus@").endsWith("/cache_second_tier}")
                    .isNotEqualTo(tier(other).namespace());
            long id = IDS.incrementAndGet();
            for (ConfigurableApplicationContext context : List.of(shop, other)) {
                context.getBean(JdbcClient.class).sql("insert into depot.things values (?, ?, ?)")
                        .params(id, "SKU-" + id, context == shop ? "lamp" : "chair").update();
                awaitTombstone(redis, entryKey(context, "things", Long.toString(id)));
            }

            assertThat(depot(shop).names().get(id)).contains("lamp");
            assertThat(depot(other).names().get(id)).contains("chair");
            assertThat(depot(shop).namesByCode().get("SKU-" + id)).contains("lamp");
            assertThat(depot(other).namesByCode().get("SKU-" + id)).contains("chair");
            for (ConfigurableApplicationContext context : List.of(shop, other)) {
                for (String cache : List.of("things", "things-by-code")) {
                    ((CaffeineCacheAside<?, ?>) context.getBean(CaffeineCaches.class).find(cache).orElseThrow())
                            .caffeine().invalidateAll();
                }
            }
            assertThat(depot(shop).names().get(id)).contains("lamp");
            assertThat(depot(other).names().get(id)).contains("chair");
            assertThat(depot(shop).namesByCode().get("SKU-" + id)).contains("lamp");
            assertThat(depot(other).namesByCode().get("SKU-" + id)).contains("chair");
            for (ConfigurableApplicationContext context : List.of(shop, other)) {
                assertThat(sources(context).calls("things")).as("read again from its own entry").isEqualTo(1);
                assertThat(sources(context).calls("things-by-code")).isEqualTo(1);
            }

            long shopEpoch = epoch(shop);
            long otherEpoch = epoch(other);
            depot(other).names().evictAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> tier(other).epoch() != null
                    && tier(other).epoch() > otherEpoch);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> Long.valueOf(shopEpoch).equals(tier(shop).epoch()));
            assertThat(redis.commands().get(tier(shop).namespace() + ":epoch")).isEqualTo(Long.toString(shopEpoch));
        }
    }

    /**
     * The streaming instance keeps a cache out of the second tier (another version, other settings,
     * or it has not created the cache yet): it writes no tombstones for that cache, so no other
     * instance keeps the cache there either, and a change is read fresh.
     */
    @Test
    void aCacheTheStreamingInstanceDoesNotKeepInTheSecondTierIsKeptThereByNone() {
        try (RedisProcess redis = new RedisProcess();
             ConfigurableApplicationContext leader = start(redis.port(),
                     "--ficus.cache.caches.things-by-code.second-tier=false");
             ConfigurableApplicationContext follower = start(redis.port())) {
            awaitLeaderAndFollowerUsingTheSecondTier(leader, follower);
            long id = insertInvalidated(redis, leader, "lamp");

            assertThat(depot(follower).namesByCode().get("C" + id)).contains("lamp");
            assertThat(depot(follower).names().get(id)).contains("lamp");
            assertThat(redis.commands().keys(tier(follower).namespace() + ":things-by-code:*")).isEmpty();
            assertThat(health(follower)).containsEntry("notInvalidatedByTheStreamingInstance",
                    Set.of("things-by-code"));

            leader.getBean(JdbcClient.class).sql("update depot.things set name = 'desk lamp' where id = ?").param(id)
                    .update();
            eventually(() -> depot(follower).namesByCode().get("C" + id), Optional.of("desk lamp"));
            eventually(() -> depot(follower).names().get(id), Optional.of("desk lamp"));
        }
    }

    /** Reads things {@code from} to {@code to} ("thing <i>"), checks each name, and says how long each read took. */
    private static List<Long> timedReads(ConfigurableApplicationContext context, List<Long> ids, int from, int to) {
        List<Long> millis = new ArrayList<>();
        for (int i = from; i < to; i++) {
            long start = System.nanoTime();
            Optional<String> name = depot(context).names().get(ids.get(i));
            millis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
            assertThat(name).contains("thing " + i);
        }
        return millis;
    }

    private static void awaitWarm(ConfigurableApplicationContext context) {
        await().atMost(Duration.ofSeconds(60)).until(() -> context.getBean(CaffeineCaches.class).find("things")
                .map(cache -> ((CaffeineCacheAside<?, ?>) cache).warm()).orElse(false));
    }

    private static String warmedUpFrom(ConfigurableApplicationContext context) {
        return context.getBean(CaffeineCaches.class).find("things")
                .flatMap(cache -> ((CaffeineCacheAside<?, ?>) cache).warmedUpFrom()).orElseThrow();
    }

    private static void awaitLeaderAndFollowerUsingTheSecondTier(ConfigurableApplicationContext leader,
            ConfigurableApplicationContext follower) {
        await().atMost(Duration.ofSeconds(60)).until(() -> state(leader) == State.STREAMING);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(follower) == State.STANDBY);
        await().atMost(Duration.ofSeconds(30)).until(() -> follower.getBean(Freshness.class).current()
                && leader.getBean(Freshness.class).current()
                && tier(leader).epoch() != null && tier(follower).epoch() != null);
    }

    private static ConfigurableApplicationContext start(int redisPort, String... settings) {
        List<String> arguments = new ArrayList<>(List.of(
                "--ficus.embedded-postgres.database=cache_second_tier", "--ficus.cdc.lock-retry-interval=500ms",
                "--ficus.cache.max-staleness=3s",
                "--ficus.cache.second-tier.enabled=true",
                "--ficus.cache.second-tier.timeout=" + TIMEOUT.toMillis() + "ms",
                "--ficus.cache.second-tier.open-for=1s",
                "--ficus.cache.caches.things-by-code.value-type=java.lang.String",
                "--spring.data.redis.host=127.0.0.1",
                "--spring.data.redis.port=" + redisPort,
                "--spring.data.redis.connect-timeout=500ms"));
        arguments.addAll(List.of(settings));
        return new SpringApplicationBuilder(CacheTestApplication.class)
                .web(WebApplicationType.NONE)
                .run(arguments.toArray(String[]::new));
    }

    /**
     * Until the second tier serves again: a row a follower loads is read by the leader from Redis
     * (breakers closed, the same epoch announced and heard).
     */
    private static void awaitSecondTierServes(RedisProcess redis, ConfigurableApplicationContext leader,
            ConfigurableApplicationContext follower) {
        // A probe whose invalidation does not reach Redis within 5 s is given up, and another tried.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .ignoreException(ConditionTimeoutException.class).until(() -> {
            if (tier(leader).epoch() == null || tier(follower).epoch() == null) {
                return false;
            }
            long id = insert(leader, "probe");
            String key = entryKey(leader, "things", Long.toString(id));
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> String.valueOf(redis.commands().get(key)).startsWith("~"));
            long leaderCalls = sources(leader).calls("things");
            assertThat(depot(follower).names().get(id)).contains("probe");
            assertThat(depot(leader).names().get(id)).contains("probe");
            return sources(leader).calls("things") == leaderCalls;
        });
    }

    /** Inserts a thing, and waits until its insert invalidated the key in Redis (which ends a cached absence). */
    private static long insertInvalidated(RedisProcess redis, ConfigurableApplicationContext leader, String name) {
        long id = insert(leader, name);
        awaitTombstone(redis, entryKey(leader, "things", Long.toString(id)));
        return id;
    }

    private static void awaitTombstone(RedisProcess redis, String key) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> String.valueOf(redis.commands().get(key)).startsWith("~"));
    }

    private static long insert(ConfigurableApplicationContext context, String name) {
        long id = IDS.incrementAndGet();
        context.getBean(JdbcClient.class).sql("insert into depot.things values (?, ?, ?)").params(id, "C" + id, name)
                .update();
        return id;
    }

    /** The Redis key of an entry, in the epoch the context uses now. */
    private static String entryKey(ConfigurableApplicationContext context, String cache, String jsonKey) {
        return tier(context).namespace() + ":" + cache + ":" + epoch(context) + ":" + jsonKey;
    }

    private static long epoch(ConfigurableApplicationContext context) {
        Long epoch = tier(context).epoch();
        assertThat(epoch).as("the second tier's epoch").isNotNull();
        return epoch;
    }

    private static RedisTier tier(ConfigurableApplicationContext context) {
        return context.getBean(RedisTier.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> health(ConfigurableApplicationContext context) {
        return (Map<String, Object>) context.getBean(CachesHealthIndicator.class).health().getDetails()
                .get("secondTier");
    }

    private static Depot depot(ConfigurableApplicationContext context) {
        return context.getBean(Depot.class);
    }

    private static Sources sources(ConfigurableApplicationContext context) {
        return context.getBean(Sources.class);
    }

    private static State state(ConfigurableApplicationContext context) {
        return context.getBean(ChangeStream.class).state();
    }

    private static double count(ConfigurableApplicationContext context, String meter, String cache) {
        return context.getBean(MeterRegistry.class).counter(meter, "cache", cache).count();
    }

    private static double errors(ConfigurableApplicationContext context) {
        return context.getBean(MeterRegistry.class).find("ficus.cache.second-tier.errors").counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    private static <T> void eventually(java.util.function.Supplier<T> read, T expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(read::get, expected::equals);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
