package dev.ficus.toolkit.cache;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.ficus.toolkit.cache.CacheTestApplication.Depot;
import dev.ficus.toolkit.cdc.ChangeStream;
import dev.ficus.toolkit.cdc.ChangeStream.State;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances on one database, one streaming: the other's caches are kept correct too, whatever
 * arrives on the eviction channel and whatever becomes of its connection; when nothing shows them
 * current, they are bypassed.
 */
class EvictionBroadcastTests {

    @Test
    void anInstanceThatDoesNotStreamStillEvictsWhatChanged() {
        try (ConfigurableApplicationContext leader = start();
             ConfigurableApplicationContext follower = start()) {
            awaitLeaderAndCurrentFollower(leader, follower);

            JdbcClient jdbc = leader.getBean(JdbcClient.class);
            jdbc.sql("insert into depot.things values (1, 'C1', 'before')").update();
            Depot followersDepot = follower.getBean(Depot.class);
            assertThat(followersDepot.names().get(1L)).contains("before");
            assertThat(followersDepot.namesByCode().get("C1")).contains("before");

            jdbc.sql("update depot.things set name = 'after' where id = 1").update();

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> followersDepot.names().get(1L), Optional.of("after")::equals);
            assertThat(followersDepot.namesByCode().get("C1")).contains("after");
            assertThat(bypasses(follower)).as("read from memory, not bypassed").isZero();
            assertThat(invalidations(follower, "broadcast")).as("heard from the leader").isPositive();
            assertThat(invalidations(follower, "change-data-capture")).isZero();
            assertThat(invalidations(leader, "change-data-capture")).as("from its own stream").isPositive();
            assertThat(invalidations(leader, "broadcast")).as("its own messages are not applied twice").isZero();
        }
    }

    /**
     * An eviction the application asks for on an instance that does not stream reaches the others
     * when its transaction commits, and only then; it says nothing about the stream, so it empties
     * no cache and leaves freshness as it was.
     */
    @Test
    void anEvictionAskedForOnAnyInstanceReachesTheOthersWhenItsTransactionCommits() {
        try (ConfigurableApplicationContext leader = start();
             ConfigurableApplicationContext follower = start()) {
            awaitLeaderAndCurrentFollower(leader, follower);
            JdbcClient jdbc = follower.getBean(JdbcClient.class);
            jdbc.sql("insert into depot.settings values ('mode', 'calm') on conflict (name) do update set value = 'calm'")
                    .update();
            CacheAside<String, String> leadersSettings = leader.getBean(Depot.class).settings();
            CacheAside<String, ?> followersSettings = follower.getBean(Caches.class).find("settings", String.class)
                    .orElseThrow();
            assertThat(leadersSettings.get("mode")).contains("calm");
            assertThat(followersSettings.get("mode")).isEqualTo(Optional.of("calm"));

            TransactionTemplate transaction = new TransactionTemplate(follower.getBean(PlatformTransactionManager.class));
            transaction.executeWithoutResult(status -> {
                jdbc.sql("update depot.settings set value = 'rolled back' where name = 'mode'").update();
                followersSettings.evictEverywhere("mode");
                status.setRollbackOnly();
            });
            transaction.executeWithoutResult(status -> {
                jdbc.sql("update depot.settings set value = 'busy' where name = 'mode'").update();
                followersSettings.evictEverywhere("mode");
                assertThat(followersSettings.get("mode")).as("evicted here only at commit").isEqualTo(Optional.of("calm"));
            });

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> leadersSettings.get("mode"), Optional.of("busy")::equals);
            assertThat(followersSettings.get("mode")).isEqualTo(Optional.of("busy"));
            MeterRegistry meters = leader.getBean(MeterRegistry.class);
            assertThat(meters.counter("ficus.cache.invalidations", "cache", "settings", "source", "broadcast").count())
                    .as("one eviction heard: the rolled back one was never sent").isEqualTo(1.0);
            assertThat(meters.counter("ficus.cache.flushes", "reason", "new-leader").count()).isZero();
            assertThat(rejected(leader)).isZero();
            assertThat(leader.getBean(Freshness.class).current()).isTrue();
        }
    }

    /** A stray NOTIFY, in any format, is counted and skipped: the channel, and readiness, carry on. */
    @Test
    void garbageOnTheChannelIsCountedAndSkipped() {
        try (ConfigurableApplicationContext leader = start();
             ConfigurableApplicationContext follower = start()) {
            awaitLeaderAndCurrentFollower(leader, follower);
            JdbcClient jdbc = leader.getBean(JdbcClient.class);
            jdbc.sql("insert into depot.things values (2, 'C2', 'before')").update();
            Depot followersDepot = follower.getBean(Depot.class);
            assertThat(followersDepot.names().get(2L)).contains("before");

            for (String garbage : new String[] {"x", "{\"hello\":1}", "{\"from\":\"a\",\"number\":1,\"evictions\":[null]}",
                    "[1,2,3]"}) {
                jdbc.sql("select pg_notify(?, ?)").params(EvictionBroadcast.CHANNEL, garbage).query(Object.class).single();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> rejected(follower) == 4 && rejected(leader) == 4);
            jdbc.sql("update depot.things set name = 'after' where id = 2").update();

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> followersDepot.names().get(2L), Optional.of("after")::equals);
            assertThat(follower.getBean(EvictionBroadcast.class).listening()).isTrue();
            assertThat(follower.getBean(CachesHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
        }
    }

    /**
     * The listening connection ended by the server: the instance listens again and empties its
     * caches, since it may have missed evictions meanwhile.
     */
    @Test
    void aLostListeningConnectionIsReplacedAndTheCachesEmptied() throws Exception {
        try (ConfigurableApplicationContext leader = start();
             ConfigurableApplicationContext follower = start()) {
            awaitLeaderAndCurrentFollower(leader, follower);
            JdbcClient jdbc = leader.getBean(JdbcClient.class);
            jdbc.sql("insert into depot.things values (3, 'C3', 'before')").update();
            Depot followersDepot = follower.getBean(Depot.class);
            assertThat(followersDepot.names().get(3L)).contains("before");
            double flushes = flushes(follower);

            jdbc.sql("select pg_terminate_backend(pid) from pg_stat_activity "
                    + "where application_name = 'ficus cache evictions'").query(Object.class).list();
            await().atMost(Duration.ofSeconds(10)).until(() -> flushes(follower) > flushes);
            await().atMost(Duration.ofSeconds(10)).until(() -> follower.getBean(Freshness.class).current());
            assertThat(follower.getBean(CaffeineCaches.class).find("things").map(cache ->
                    ((CaffeineCacheAside<?, ?>) cache).caffeine().estimatedSize())).contains(0L);

            // Cached again; only an eviction heard on the new connection can make way for the change.
            assertThat(followersDepot.names().get(3L)).contains("before");
            assertThat(follower.getBean(CaffeineCaches.class).find("things").map(cache ->
                    ((CaffeineCacheAside<?, ?>) cache).caffeine().estimatedSize())).contains(1L);
            jdbc.sql("update depot.things set name = 'after' where id = 3").update();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> followersDepot.names().get(3L), Optional.of("after")::equals);
        }
    }

    /** Keys of many bytes each (not ASCII): the batch is split by bytes, not characters, and all of it arrives. */
    @Test
    void aLargeBatchOfNonAsciiKeysReachesTheOtherInstance() {
        try (ConfigurableApplicationContext leader = start();
             ConfigurableApplicationContext follower = start()) {
            awaitLeaderAndCurrentFollower(leader, follower);
            JdbcClient jdbc = leader.getBean(JdbcClient.class);
            Map<Long, String> codes = new java.util.TreeMap<>();
            IntStream.range(0, 300).forEach(i -> codes.put(1_000L + i, "ключ-кеша-ü€-" + "ж".repeat(60) + "-" + i));
            codes.forEach((id, code) -> jdbc.sql("insert into depot.things values (?, ?, 'before')")
                    .params(id, code).update());
            Depot followersDepot = follower.getBean(Depot.class);
            codes.values().forEach(code -> assertThat(followersDepot.namesByCode().get(code)).contains("before"));

            jdbc.sql("update depot.things set name = 'after' where id between 1000 and 1299").update();

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> codes.values()
                    .stream().allMatch(code -> followersDepot.namesByCode().get(code).equals(Optional.of("after"))));
            assertThat(bypasses(follower)).as("read from memory, not bypassed").isZero();
        }
    }

    /**
     * While no instance can stream (here: the test holds the stream's lock), nothing shows the
     * caches current: after max-staleness they are bypassed, reads come from the database, and
     * health says so while the instance stays up. Once an instance streams again, caches serve.
     * An instance with change data capture switched off runs no eviction channel at all.
     */
    @Test
    void withoutAStreamingInstanceCachesAreBypassedAfterMaxStaleness() throws Exception {
        try (ConfigurableApplicationContext withoutCdc = start("--ficus.cdc.enabled=false")) {
            assertThat(withoutCdc.getBeanProvider(EvictionBroadcast.class).getIfAvailable()).isNull();
            assertThat(withoutCdc.getBean(CachesHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
            JdbcConnectionDetails database = withoutCdc.getBean(JdbcConnectionDetails.class);
            JdbcClient jdbc = withoutCdc.getBean(JdbcClient.class);
            jdbc.sql("insert into depot.things values (4, 'C4', 'before')").update();
            try (Connection lock = DriverManager.getConnection(database.getJdbcUrl(), database.getUsername(),
                    database.getPassword());
                 var statement = lock.createStatement()) {
                statement.execute("select pg_advisory_lock(hashtext('ficus-cdc:ficus'))");
                try (ConfigurableApplicationContext standby = start()) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> state(standby) == State.STANDBY
                            && standby.getBean(EvictionBroadcast.class).listening());
                    Depot depot = standby.getBean(Depot.class);

                    assertThat(depot.names().get(4L)).contains("before");
                    jdbc.sql("update depot.things set name = 'unstreamed' where id = 4").update();
                    assertThat(depot.names().get(4L)).as("read from the database").contains("unstreamed");
                    assertThat(bypasses(standby)).isEqualTo(2);
                    var health = standby.getBean(CachesHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails().get("freshness").toString()).contains("current=false", "bypassed");

                    statement.execute("select pg_advisory_unlock(hashtext('ficus-cdc:ficus'))");
                    await().atMost(Duration.ofSeconds(60)).until(() -> state(standby) == State.STREAMING
                            && standby.getBean(Freshness.class).current());
                    assertThat(depot.names().get(4L)).contains("unstreamed");
                    double bypassed = bypasses(standby);
                    assertThat(depot.names().get(4L)).contains("unstreamed");
                    assertThat(bypasses(standby)).as("from memory again").isEqualTo(bypassed);
                }
            }
        }
    }

    private static void awaitLeaderAndCurrentFollower(ConfigurableApplicationContext leader,
            ConfigurableApplicationContext follower) {
        await().atMost(Duration.ofSeconds(60)).until(() -> state(leader) == State.STREAMING);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(follower) == State.STANDBY);
        await().atMost(Duration.ofSeconds(30)).until(() -> follower.getBean(Freshness.class).current()
                && leader.getBean(Freshness.class).current());
    }

    private static ConfigurableApplicationContext start(String... settings) {
        java.util.List<String> arguments = new java.util.ArrayList<>(java.util.List.of(
                "--ficus.embedded-postgres.database=cache_broadcast", "--ficus.cdc.lock-retry-interval=500ms",
                "--ficus.cache.max-staleness=3s"));
        arguments.addAll(java.util.List.of(settings));
        return new SpringApplicationBuilder(CacheTestApplication.class)
                .web(WebApplicationType.NONE)
                .run(arguments.toArray(String[]::new));
    }

    private static State state(ConfigurableApplicationContext context) {
        return context.getBean(ChangeStream.class).state();
    }

    private static double rejected(ConfigurableApplicationContext context) {
        return context.getBean(MeterRegistry.class).counter("ficus.cache.eviction.messages.rejected").count();
    }

    private static double flushes(ConfigurableApplicationContext context) {
        return context.getBean(MeterRegistry.class).counter("ficus.cache.flushes", "reason", "listening").count();
    }

    private static double invalidations(ConfigurableApplicationContext context, String source) {
        return context.getBean(MeterRegistry.class)
                .counter("ficus.cache.invalidations", "cache", "things", "source", source).count();
    }

    private static double bypasses(ConfigurableApplicationContext context) {
        return context.getBean(MeterRegistry.class).counter("ficus.cache.bypasses", "cache", "things").count();
    }
}
