package dev.ficus.systemtests;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import dev.ficus.contracts.identity.TestIssuer;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;
import dev.ficus.toolkit.faultproxy.FaultyProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three shop instances, each a process of its own, on one PostgreSQL, each reaching it through a
 * proxy that can fail the way networks do. Prices change in plain SQL at 200 a second while every
 * instance is read; during each fault every answered read is checked against the database: none
 * may be older than {@code max-staleness} (5 s, the default). After each fault every instance that
 * is up must serve, from its caches, exactly what the database holds: no eviction was missed.
 * Measured takeover times go to {@code target/cache-cluster-faults.txt}. The products the test
 * watches are created through the API with a {@code catalog-admin} token signed with the shop's own
 * key, read from the database (the cluster has no demo data).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheClusterFaultTests {

    private static final Duration MAX_STALENESS = Duration.ofSeconds(5);
    private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(15);
    private static final String LISTEN = "listen ficus_cache_evictions";
    private static final String PRODUCTS = "/api/catalog/products/";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient READS = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** One shop instance and the proxy between it and PostgreSQL. */
    private record Instance(String name, FaultyProxy proxy, Http http, JavaProcess process) {

        Http admin() {
            return http.as("ops", "secret");
        }
    }

    @TempDir
    Path work;

    private EmbeddedPostgresServer postgres;
    private JdbcClient database;
    private final List<Instance> instances = new ArrayList<>();
    private final List<String> products = new ArrayList<>();
    private final AtomicLong nextCents = new AtomicLong(100_000);

    @BeforeAll
    void startCluster() {
        postgres = EmbeddedPostgresServer.obtain(new EmbeddedPostgresProperties(true, "", 0, "ficus",
                Duration.ofSeconds(60), Map.of()));
        database = JdbcClient.create(new SimpleDriverDataSource(new org.postgresql.Driver(), postgres.jdbcUrl(),
                "postgres", ""));
        for (int i = 1; i <= 3; i++) {
            FaultyProxy proxy = new FaultyProxy(postgres.port(), LISTEN);
            Http http = Http.to(JavaProcess.freePort());
            instances.add(new Instance("cluster-shop-" + i, proxy, http, new JavaProcess("cluster-shop-" + i,
                    JavaProcess.executableJar("app", "ficus-app"), List.of(
                            "--server.port=" + http.port(),
                            "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + proxy.port() + "/ficus",
                            "--spring.datasource.username=postgres",
                            "--spring.datasource.hikari.connection-timeout=2000",
                            "--spring.security.user.name=ops", "--spring.security.user.password=secret"))));
        }
        // The first creates the schemas; the others start together.
        instances.getFirst().process().start();
        awaitReady(instances.getFirst());
        instances.subList(1, 3).forEach(instance -> instance.process().start());
        instances.subList(1, 3).forEach(CacheClusterFaultTests::awaitReady);
        assertThat(instances.getFirst().http().get("/oauth2/jwks").status()).isEqualTo(200);   // its first key
        String key = database.sql("select jwk from identity.signing_keys order by created_at limit 1")
                .query(String.class).single();
        Http admin = instances.getFirst().http().withToken(TestIssuer.withKey(key, "ficus-shop", "ficus-api")
                .token("cluster-admin", Set.of("catalog-admin")));
        for (int i = 1; i <= 20; i++) {
            Http.Response created = admin.post("/api/catalog/products", """
                    {"sku": "FAULT-%02d", "name": "Fault %d", "price": {"amount": 10.00, "currency": "EUR"},
                     "category": "faults"}""".formatted(i, i));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            products.add(created.json().get("id").asString());
        }
    }

    @AfterAll
    void stopCluster() throws InterruptedException {
        for (Instance instance : instances) {
            instance.process().stop();
            instance.proxy().close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void aStrayNotifyIsCountedAndChangesNothing() {
        database.sql("notify ficus_cache_evictions, 'x'").update();

        for (Instance instance : instances) {
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(instance, "ficus.cache.eviction.messages.rejected")
                    .orElse(0.0) == 1.0);
        }
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> instances.stream()
                .allMatch(instance -> instance.http().status("/actuator/health/readiness") == 200));
        // Long enough for a hundred reads on a slow machine, right after the instances started.
        try (Traffic traffic = new Traffic()) {
            traffic.runFor(Duration.ofSeconds(8));
            traffic.assertNoStaleReads();
        }
        assertEveryInstanceServesTheDatabase(instances);
    }

    /** A follower's listening connection goes silent: it bypasses its caches instead of serving them stale. */
    @Test
    @Order(2)
    void aFollowerWhoseListeningConnectionIsBlackholedServesNothingStale() {
        Instance follower = instances.stream().filter(instance -> !state(instance).equals("STREAMING"))
                .findFirst().orElseThrow();
        double bypassedBefore = metric(follower, "ficus.cache.bypasses").orElse(0.0);
        try (Traffic traffic = new Traffic()) {
            traffic.runFor(Duration.ofSeconds(2));
            follower.proxy().blackholeConnectionsThatSent(LISTEN);
            traffic.runFor(Duration.ofSeconds(12));
            follower.proxy().heal();
            traffic.runFor(Duration.ofSeconds(3));
            traffic.assertNoStaleReads();
            assertThat(traffic.answered(follower)).as("reads the follower answered").isGreaterThan(100);
        }
        assertThat(metric(follower, "ficus.cache.bypasses").orElse(0.0)).as("reads that bypassed its caches")
                .isGreaterThan(bypassedBefore);
        assertEveryInstanceServesTheDatabase(instances);
    }

    /**
     * The leader is cut off without a word (its connections blackholed): another instance streams
     * within the bound, and after the partition heals the old leader handles nothing more.
     */
    @Test
    @Order(3)
    void aPartitionedLeaderIsReplacedWithinTheBound() throws Exception {
        Instance leader = leader();
        try (Traffic traffic = new Traffic()) {
            traffic.runFor(Duration.ofSeconds(2));
            long cutAt = System.nanoTime();
            leader.proxy().blackhole();
            Instance successor = awaitSuccessor(leader);
            record("leader blackholed", cutAt, successor);
            traffic.runFor(Duration.ofSeconds(5));
            double handled = metric(leader, "ficus.cdc.events").orElse(0.0);
            leader.proxy().heal();
            traffic.runFor(Duration.ofSeconds(8));
            assertThat(metric(leader, "ficus.cdc.events").orElse(0.0))
                    .as("changes the old leader handled after the partition healed").isEqualTo(handled);
            assertThat(state(successor)).isEqualTo("STREAMING");
            traffic.assertNoStaleReads();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> state(leader).equals("STANDBY"));
        assertEveryInstanceServesTheDatabase(instances);
    }

    /** The leader's process freezes with its sockets open (SIGSTOP), then carries on (SIGCONT). */
    @Test
    @Order(4)
    void aFrozenLeaderIsReplacedAndStandsByWhenItThaws() throws Exception {
        Instance leader = leader();
        try (Traffic traffic = new Traffic()) {
            traffic.runFor(Duration.ofSeconds(2));
            long frozenAt = System.nanoTime();
            leader.process().freeze();
            Instance successor;
            try {
                successor = awaitSuccessor(leader);
                record("leader frozen", frozenAt, successor);
                traffic.runFor(Duration.ofSeconds(5));
            }
            finally {
                leader.process().thaw();
            }
            double handled = metric(leader, "ficus.cdc.events").orElse(0.0);
            traffic.runFor(Duration.ofSeconds(8));
            assertThat(metric(leader, "ficus.cdc.events").orElse(0.0))
                    .as("changes the old leader handled after it thawed").isEqualTo(handled);
            assertThat(state(successor)).isEqualTo("STREAMING");
            traffic.assertNoStaleReads();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> state(leader).equals("STANDBY"));
        assertEveryInstanceServesTheDatabase(instances);
    }

    @Test
    @Order(5)
    void aKilledLeaderIsReplacedAndNoEvictionIsMissed() throws Exception {
        Instance leader = leader();
        List<Instance> survivors = instances.stream().filter(instance -> instance != leader).toList();
        try (Traffic traffic = new Traffic()) {
            traffic.runFor(Duration.ofSeconds(2));
            long killedAt = System.nanoTime();
            leader.process().kill();
            Instance successor = awaitSuccessor(leader);
            record("leader killed (SIGKILL)", killedAt, successor);
            traffic.runFor(Duration.ofSeconds(5));
            traffic.assertNoStaleReads();
        }
        assertEveryInstanceServesTheDatabase(survivors);
    }

    private Instance leader() {
        await().atMost(Duration.ofSeconds(60)).until(() -> instances.stream()
                .filter(instance -> instance.process().alive())
                .filter(instance -> state(instance).equals("STREAMING")).count() == 1);
        return instances.stream().filter(instance -> state(instance).equals("STREAMING")).findFirst().orElseThrow();
    }

    private Instance awaitSuccessor(Instance old) {
        AtomicInteger found = new AtomicInteger(-1);
        await().atMost(TAKEOVER_BOUND).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (int i = 0; i < instances.size(); i++) {
                if (instances.get(i) != old && state(instances.get(i)).equals("STREAMING")) {
                    found.set(i);
                    return true;
                }
            }
            return false;
        });
        return instances.get(found.get());
    }

    private void record(String fault, long since, Instance successor) throws IOException {
        String line = "%s: %s streams after %d ms%n".formatted(fault, successor.name(),
                Duration.ofNanos(System.nanoTime() - since).toMillis());
        Files.writeString(Path.of("target", "cache-cluster-faults.txt"), line, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /**
     * Every product read from every instance equals the database, while the instance says its
     * caches are current (so the reads come from them, not around them).
     */
    private void assertEveryInstanceServesTheDatabase(List<Instance> serving) {
        Map<String, BigDecimal> truth = new ConcurrentHashMap<>();
        database.sql("select id::text, price_amount from catalog.products where sku like 'FAULT-%'")
                .query((row, n) -> truth.put(row.getString(1), row.getBigDecimal(2).stripTrailingZeros())).list();
        try {
            awaitEveryInstanceServes(truth, serving);
        }
        catch (AssertionError | ConditionTimeoutException e) {
            // What each instance was doing, for the failure's reader: in system-tests/target/<name>.log.
            for (Instance instance : serving) {
                try {
                    instance.process().dumpThreads();
                }
                catch (InterruptedException dump) {
                    Thread.currentThread().interrupt();
                    e.addSuppressed(dump);
                }
                catch (IOException | RuntimeException dump) {
                    e.addSuppressed(dump);
                }
            }
            throw e;
        }
    }

    private void awaitEveryInstanceServes(Map<String, BigDecimal> truth, List<Instance> serving) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<String> wrong = new ArrayList<>();
            for (Instance instance : serving) {
                if (!cachesCurrent(instance)) {
                    wrong.add(instance.name() + " does not read from its caches: " + freshness(instance));
                    continue;
                }
                for (String product : products) {
                    Optional<BigDecimal> price = read(instance, product);
                    if (!price.equals(Optional.of(truth.get(product)))) {
                        wrong.add("%s serves %s for %s, the database holds %s".formatted(instance.name(),
                                price.map(BigDecimal::toPlainString).orElse("nothing"), product, truth.get(product)));
                    }
                }
                if (!cachesCurrent(instance)) {
                    wrong.add(instance.name() + " stopped reading from its caches meanwhile");
                }
            }
            assertThat(wrong).as("flushes: " + serving.stream().map(instance -> instance.name() + " "
                    + metric(instance, "ficus.cache.flushes").orElse(0.0)).toList()).isEmpty();
        });
    }

    private static boolean cachesCurrent(Instance instance) {
        try {
            JsonNode caches = instance.admin().get("/actuator/health").json().get("components").get("caches");
            return caches.get("details").get("freshness").get("current").asBoolean();
        }
        catch (RuntimeException e) {
            return false;
        }
    }

    /** What the instance says of its caches' freshness, for a failure's message. */
    private static String freshness(Instance instance) {
        try {
            return instance.admin().get("/actuator/health").json().path("components").path("caches").path("details")
                    .path("freshness").toString();
        }
        catch (RuntimeException e) {
            return e.toString();
        }
    }

    private static String state(Instance instance) {
        try {
            JsonNode stream = instance.admin().get("/actuator/health").json().get("components").get("changeStream");
            return stream.get("details").get("state").asString();
        }
        catch (RuntimeException e) {
            return "UNREACHABLE";
        }
    }

    private static Optional<Double> metric(Instance instance, String name) {
        Http.Response response = instance.admin().get("/actuator/metrics/" + name);
        if (response.status() == 404) {
            return Optional.empty();
        }
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return Optional.of(response.json().get("measurements").get(0).get("value").asDouble());
    }

    private static Optional<BigDecimal> read(Instance instance, String product) throws IOException,
            InterruptedException {
        HttpResponse<String> response = READS.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + instance.http().port() + PRODUCTS + product))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        return Optional.of(JSON.readTree(response.body()).get("price").get("amount").decimalValue().stripTrailingZeros());
    }

    private static void awaitReady(Instance instance) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!instance.process().alive()) {
                throw new IllegalStateException(instance.name() + " exited; see system-tests/target/"
                        + instance.name() + ".log");
            }
            return instance.http().status("/actuator/health/readiness") == 200;
        });
    }

    /**
     * Price changes at 200 a second, each higher than the last of its product, and reads of every
     * instance; a read is stale if a higher price of its product had committed more than
     * {@code max-staleness} before the read began.
     */
    private final class Traffic implements AutoCloseable {

        private record Read(Instance instance, String product, BigDecimal price, long startedMillis) {
        }

        /** Per product: commit (returned) time → price written. */
        private final Map<String, NavigableMap<Long, BigDecimal>> written = new ConcurrentHashMap<>();
        private final List<Read> reads = new CopyOnWriteArrayList<>();
        private final Map<Instance, AtomicInteger> failed = new ConcurrentHashMap<>();
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean running = true;

        /** One connection, straight to PostgreSQL: 200 writes a second need no pool, and no proxy. */
        private final SingleConnectionDataSource connection = new SingleConnectionDataSource(postgres.jdbcUrl(),
                "postgres", "", true);
        private final JdbcClient writer = JdbcClient.create(connection);

        Traffic() {
            products.forEach(product -> written.put(product, new ConcurrentSkipListMap<>()));
            threads.add(Thread.ofPlatform().name("price-writer").start(this::write));
            for (Instance instance : instances) {
                failed.put(instance, new AtomicInteger());
                for (int i = 0; i < 2; i++) {
                    threads.add(Thread.ofVirtual().start(() -> readFrom(instance)));
                }
            }
        }

        void runFor(Duration duration) {
            await().pollDelay(duration).atMost(duration.plusSeconds(1)).until(() -> true);
        }

        private void write() {
            long next = System.nanoTime();
            int turn = 0;
            while (running) {
                String product = products.get(turn++ % products.size());
                BigDecimal price = BigDecimal.valueOf(nextCents.incrementAndGet(), 2);
                try {
                    writer.sql("update catalog.products set price_amount = ?, version = version + 1, "
                            + "updated_at = now() where id = cast(? as uuid)").params(price, product).update();
                    written.get(product).put(System.currentTimeMillis(), price);
                }
                catch (RuntimeException e) {
                    // the database is not part of any fault here; a failed write is simply not counted
                }
                next += 5_000_000;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        }

        private void readFrom(Instance instance) {
            while (running) {
                String product = products.get(ThreadLocalRandom.current().nextInt(products.size()));
                long started = System.currentTimeMillis();
                try {
                    Optional<BigDecimal> price = instance.process().alive() ? read(instance, product) : Optional.empty();
                    if (price.isPresent()) {
                        reads.add(new Read(instance, product, price.get(), started));
                    }
                    else {
                        failed.get(instance).incrementAndGet();
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
                    }
                }
                catch (IOException | RuntimeException e) {
                    failed.get(instance).incrementAndGet();
                }
                catch (InterruptedException e) {
                    return;
                }
            }
        }

        long answered(Instance instance) {
            return reads.stream().filter(read -> read.instance() == instance).count();
        }

        void assertNoStaleReads() {
            close();
            assertThat(written.values().stream().mapToInt(Map::size).sum()).as("prices written").isGreaterThan(300);
            List<String> stale = new ArrayList<>();
            for (Read read : reads) {
                Map.Entry<Long, BigDecimal> due = written.get(read.product())
                        .floorEntry(read.startedMillis() - MAX_STALENESS.toMillis());
                if (due != null && due.getValue().compareTo(read.price()) > 0) {
                    stale.add("%s read %s = %s at %d, but %s committed at %d".formatted(read.instance().name(),
                            read.product(), read.price(), read.startedMillis(), due.getValue(), due.getKey()));
                }
            }
            assertThat(reads).as("answered reads").hasSizeGreaterThan(100);
            assertThat(stale).as("reads older than max-staleness, of " + reads.size() + " (failed: " + failed + ")")
                    .isEmpty();
        }

        @Override
        public void close() {
            running = false;
            for (Thread thread : threads) {
                try {
                    thread.join(Duration.ofSeconds(5));
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            connection.destroy();
        }
    }
}
