package dev.ficus.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three shop instances behind HAProxy, configured by the repository's {@code cluster/haproxy.cfg},
 * under steady mixed traffic (reads, product writes, orders) while each instance in turn is told
 * to stop (SIGTERM), drains, exits, starts again and becomes ready: no request fails, and every
 * write that was answered as accepted is in the database afterwards. Then one is killed outright,
 * and a burst of orders beyond the limits is refused cleanly. The first instance loads the demo
 * data into the shared database: products are written by the demo {@code catalog-admin}, orders
 * placed by a demo customer, each with a token from the shop's token endpoint (through the balancer).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingRestartTests {

    private static final Path HAPROXY_CONFIG = Path.of("..", "cluster", "haproxy.cfg");

    private EmbeddedPostgresServer postgres;
    private JdbcClient database;
    private final List<JavaProcess> instances = new ArrayList<>();
    private final List<Http> direct = new ArrayList<>();
    private Process haproxy;
    private Http balancer;

    private final List<String> skus = new ArrayList<>();
    private Login admin;
    private Login buyer;
    private String customer;

    private final AtomicLong requests = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final Set<String> createdSkus = ConcurrentHashMap.newKeySet();
    private final Set<String> placedOrders = ConcurrentHashMap.newKeySet();
    private volatile boolean traffic;

    @BeforeAll
    void startCluster() throws Exception {
        postgres = EmbeddedPostgresServer.obtain(new EmbeddedPostgresProperties(true, "", 0, "rolling",
                Duration.ofSeconds(60), Map.of()));
        database = JdbcClient.create(new SimpleDriverDataSource(new org.postgresql.Driver(), postgres.jdbcUrl(),
                "postgres", ""));
        for (int i = 1; i <= 3; i++) {
            Http http = Http.to(JavaProcess.freePort());
            direct.add(http);
            instances.add(instance(i, http));
        }
        instances.getFirst().start();
        awaitReady(0);
        instances.get(1).start();
        instances.get(2).start();
        awaitReady(1);
        awaitReady(2);

        balancer = Http.to(JavaProcess.freePort());
        ProcessBuilder command = new ProcessBuilder("haproxy", "-f", HAPROXY_CONFIG.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "haproxy.log").toFile()));
        command.environment().putAll(Map.of("FICUS_PORT", Integer.toString(balancer.port()),
                "FICUS_STATS_PORT", Integer.toString(JavaProcess.freePort()),
                "SHOP1_PORT", Integer.toString(direct.get(0).port()),
                "SHOP2_PORT", Integer.toString(direct.get(1).port()),
                "SHOP3_PORT", Integer.toString(direct.get(2).port()),
                "FICUS_CLIENT_REQUESTS_PER_10S", "20000",
                "FICUS_CLIENT_WRITES_PER_10S", "2000"));
        try {
            haproxy = command.start();
        }
        catch (IOException e) {
            throw new IllegalStateException("HAProxy is not installed (apt-get install haproxy; .ci/run does)", e);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!haproxy.isAlive()) {
                throw new IllegalStateException("HAProxy exited; see system-tests/target/haproxy.log");
            }
            return balancer.status("/actuator/health/readiness") == 200;
        });

        admin = Login.catalogAdmin(balancer);
        buyer = Login.demo(balancer, "grace1@example.com");
        customer = buyer.customerId();
        for (int i = 1; i <= 10; i++) {
            String sku = "ROLL-%02d".formatted(i);
            assertThat(admin.on(balancer).post("/api/catalog/products", """
                    {"sku": "%s", "name": "Rolling %d", "price": {"amount": 5.00, "currency": "EUR"},
                     "category": "rolling"}""".formatted(sku, i)).status()).isEqualTo(201);
            assertThat(admin.on(balancer).post("/api/inventory/stock/" + sku + "/restock", """
                    {"quantity": 100000}""").status()).isEqualTo(200);
            skus.add(sku);
        }
    }

    @AfterAll
    void stopCluster() throws Exception {
        traffic = false;
        if (haproxy != null) {
            haproxy.destroy();
        }
        for (JavaProcess instance : instances) {
            instance.stop();
        }
        postgres.close();
    }

    @Test
    @Order(1)
    void restartingEveryInstanceInTurnFailsNoRequestAndLosesNoWrite() throws Exception {
        List<Thread> clients = startTraffic();

        for (int i = 0; i < instances.size(); i++) {
            long before = requests.get();
            JavaProcess instance = instances.get(i);
            instance.terminate();
            instance.awaitExit(Duration.ofSeconds(60));
            instances.set(i, instance(i + 1, direct.get(i)).start());
            awaitReady(i);
            // Back in rotation (two passed checks a second apart), and traffic flowed meanwhile.
            long restartedAt = requests.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() > restartedAt + 50);
            assertThat(requests.get()).as("requests while shop%d restarted", i + 1).isGreaterThan(before + 50);
        }

        stopTraffic(clients);
        assertThat(failures).as("failed requests out of %d", requests.get()).isEmpty();
        assertThat(placedOrders).hasSizeGreaterThan(20);
        assertEveryAcceptedWriteIsStored();
    }

    /**
     * An instance killed outright (SIGKILL) under load: the balancer resends reads that were in
     * flight on it and stops sending it anything within its checks; only writes in flight on it
     * at that moment may fail (at most one per writing client). The count goes to
     * {@code target/kill-9.txt}.
     */
    @Test
    @Order(2)
    void killingAnInstanceFailsAtMostTheWritesInFlightOnIt() throws Exception {
        List<Thread> clients = startTraffic();
        instances.get(1).kill();
        long killedAt = requests.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() > killedAt + 500);
        stopTraffic(clients);

        List<String> failedReads = failures.stream().filter(failure -> failure.startsWith("reader")).toList();
        List<String> failedWrites = failures.stream().filter(failure -> !failure.startsWith("reader")).toList();
        Files.writeString(Path.of("target", "kill-9.txt"), "requests %d (%d after the kill), failed reads %d, "
                .formatted(requests.get(), requests.get() - killedAt, failedReads.size())
                + "failed writes %d%n%s%n".formatted(failedWrites.size(), String.join("\n", failures)));
        assertThat(failedReads).as("reads are resent by the balancer").isEmpty();
        assertThat(failedWrites).as("writes in flight on the killed instance").hasSizeLessThanOrEqualTo(2);
        assertEveryAcceptedWriteIsStored();
    }

    /**
     * The guide's scenario B: a burst of orders far beyond the shop's limits for one client, every
     * order sent twice at once with its Idempotency-Key, for fewer units than are ordered. Each
     * answer is 201, or a 429/503 problem with Retry-After, quickly; nothing is half-written: the
     * orders stored are exactly those answered 201, once per key, and no unit is sold twice.
     */
    @Test
    @Order(3)
    void aBurstBeyondTheLimitsIsRefusedCleanlyAndOversellsNothing() throws Exception {
        String sku = "BURST-1";
        assertThat(admin.on(balancer).post("/api/catalog/products", """
                {"sku": "%s", "name": "Burst", "price": {"amount": 3.00, "currency": "EUR"}, "category": "rolling"}"""
                .formatted(sku)).status()).isEqualTo(201);
        assertThat(admin.on(balancer).post("/api/inventory/stock/" + sku + "/restock", """
                {"quantity": 25}""").status()).isEqualTo(200);
        String body = """
                {"customerId": "%s", "lines": [{"sku": "%s", "quantity": 1}]}""".formatted(customer, sku);

        record Answer(String key, Http.Response response, long millis) {
        }
        List<Answer> answers = new ArrayList<>();
        Http asBuyer = buyer.on(balancer);
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Answer>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String key = "burst-" + i;
                for (int twice = 0; twice < 2; twice++) {
                    sent.add(threads.submit(() -> {
                        long start = System.nanoTime();
                        Http.Response response = asBuyer.post("/api/orders", body, "Idempotency-Key", key);
                        return new Answer(key, response, (System.nanoTime() - start) / 1_000_000);
                    }));
                }
            }
            for (var answer : sent) {
                answers.add(answer.get());
            }
        }

        Map<Integer, Long> statuses = answers.stream().collect(java.util.stream.Collectors.groupingBy(
                answer -> answer.response().status(), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        Files.writeString(Path.of("target", "burst.txt"), "answers by status %s, slowest %d ms%n".formatted(statuses,
                answers.stream().mapToLong(Answer::millis).max().orElse(0)));
        assertThat(statuses.keySet()).as("statuses of the burst's answers").isSubsetOf(201, 429, 503);
        assertThat(statuses).containsKey(201).containsKey(429);
        for (Answer answer : answers) {
            if (answer.response().status() != 201) {
                assertThat(answer.response().contentType()).isEqualTo("application/problem+json");
                assertThat(answer.response().header("Retry-After")).isPresent();
            }
            assertThat(answer.millis()).as("time to answer").isLessThan(5_000);
        }
        Map<String, Set<String>> ordersPerKey = new java.util.HashMap<>();
        answers.stream().filter(answer -> answer.response().status() == 201).forEach(answer -> ordersPerKey
                .computeIfAbsent(answer.key(), key -> new java.util.HashSet<>())
                .add(answer.response().json().get("id").asString()));
        assertThat(ordersPerKey.values()).as("orders per Idempotency-Key").allSatisfy(ids -> assertThat(ids).hasSize(1));
        Set<String> answered = ordersPerKey.values().stream().flatMap(Set::stream)
                .collect(java.util.stream.Collectors.toSet());

        String ordersOfTheSku = "select o.id::text from orders.orders o join orders.order_lines l on l.order_id = o.id"
                + " where l.sku = ?";
        assertThat(database.sql(ordersOfTheSku).param(sku).query(String.class).set())
                .as("orders stored are exactly the orders answered 201").isEqualTo(answered);
        await().atMost(Duration.ofSeconds(60)).until(() -> database.sql(ordersOfTheSku + " and o.status = 'PENDING'")
                .param(sku).query(String.class).list().isEmpty());
        long confirmed = database.sql(ordersOfTheSku + " and o.status = 'CONFIRMED'").param(sku)
                .query(String.class).list().size();
        assertThat(confirmed).isEqualTo(Math.min(25, answered.size()));
        assertThat(database.sql("select on_hand, reserved from inventory.stock where sku = ?").param(sku)
                .query((row, n) -> List.of(row.getInt(1), row.getInt(2))).single())
                .as("on hand, reserved").containsExactly(25, (int) confirmed);
    }

    private List<Thread> startTraffic() {
        failures.clear();
        requests.set(0);
        placedOrders.clear();
        createdSkus.clear();
        traffic = true;
        List<Thread> clients = List.of(
                client("reader-1", this::read, 10),
                client("reader-2", this::read, 10),
                client("product-writer", this::createProduct, 50),
                client("order-placer", this::placeOrder, 100));
        clients.forEach(Thread::start);
        await().atMost(Duration.ofSeconds(30)).until(() -> placedOrders.size() >= 5 && createdSkus.size() >= 5);
        return clients;
    }

    private void stopTraffic(List<Thread> clients) throws InterruptedException {
        traffic = false;
        for (Thread client : clients) {
            client.join(Duration.ofSeconds(30));
        }
    }

    private void assertEveryAcceptedWriteIsStored() {
        assertThat(database.sql("select sku from catalog.products where sku like 'ROLLED-%'").query(String.class)
                .set()).as("every product answered 201 is stored").containsAll(createdSkus);
        assertThat(database.sql("select id::text from orders.orders where customer_id = ?::uuid").param(customer)
                .query(String.class).set()).as("every order answered 201 is stored").containsAll(placedOrders);
    }

    private Thread client(String name, Supplier<Http.Response> call, long pauseMillis) {
        return Thread.ofVirtual().name(name).unstarted(() -> {
            while (traffic) {
                requests.incrementAndGet();
                try {
                    Http.Response response = call.get();
                    if (response.status() >= 500) {
                        failures.add(name + ": " + response.status() + " " + response.body());
                    }
                }
                catch (UncheckedIOException e) {
                    failures.add(name + ": " + e.getCause());
                }
                try {
                    Thread.sleep(pauseMillis);
                }
                catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private Http.Response read() {
        String sku = skus.get(ThreadLocalRandom.current().nextInt(skus.size()));
        return balancer.get("/api/catalog/products/sku/" + sku);
    }

    private final AtomicInteger nextSku = new AtomicInteger();

    private Http.Response createProduct() {
        String sku = "ROLLED-%05d".formatted(nextSku.incrementAndGet());
        Http.Response response = admin.on(balancer).post("/api/catalog/products", """
                {"sku": "%s", "name": "Rolled", "price": {"amount": 1.00, "currency": "EUR"},
                 "category": "rolling"}""".formatted(sku));
        if (response.status() == 201) {
            createdSkus.add(sku);
        }
        return response;
    }

    private Http.Response placeOrder() {
        String sku = skus.get(ThreadLocalRandom.current().nextInt(skus.size()));
        Http.Response response = buyer.on(balancer).post("/api/orders", """
                {"customerId": "%s", "lines": [{"sku": "%s", "quantity": 1}]}""".formatted(customer, sku));
        if (response.status() == 201) {
            placedOrders.add(response.json().get("id").asString());
        }
        return response;
    }

    private JavaProcess instance(int number, Http http) {
        return new JavaProcess("rolling-shop-" + number, JavaProcess.executableJar("app", "ficus-app"), List.of(
                "--server.port=" + http.port(),
                "--spring.datasource.url=" + postgres.jdbcUrl(),
                "--spring.datasource.username=postgres",
                "--spring.security.user.name=ops", "--spring.security.user.password=secret",
                // The demo data and its accounts, loaded once by the first instance, which starts alone
                // (the others find them loaded): the database is the test's own.
                "--ficus.demo-data.external-database=" + (number == 1)));
    }

    private void awaitReady(int index) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!instances.get(index).alive()) {
                throw new IllegalStateException("rolling-shop-" + (index + 1) + " exited; see system-tests/target/"
                        + "rolling-shop-" + (index + 1) + ".log");
            }
            return direct.get(index).status("/actuator/health/readiness") == 200;
        });
    }
}
