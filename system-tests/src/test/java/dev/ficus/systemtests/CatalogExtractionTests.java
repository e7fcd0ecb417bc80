package dev.ficus.systemtests;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The catalog's extraction end to end, with the shop and catalog-service running from their jars,
 * each on its own embedded PostgreSQL: the service's read copy follows the shop, dead-letters a row
 * it rejects and goes on, survives a {@code kill -9} in the middle of thousands of writes; writes
 * move to the service in one step while both sides are written, and the shop is kept current the
 * other way round, without changes bouncing between them. Products are changed by the demo
 * {@code catalog-admin}, with a token from the shop, at the shop and at the service alike.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CatalogExtractionTests {

    private static final String PRODUCTS = "/api/catalog/products";
    private static final Duration CATCH_UP = Duration.ofMinutes(2);

    @TempDir
    static Path work;

    private static ShopAndService system;
    private static Http shop;
    private static Http service;
    private static JdbcClient shopDatabase;
    private static JdbcClient serviceDatabase;
    private static Login admin;

    @BeforeAll
    static void startShopThenService() {
        system = new ShopAndService(work, "");
        shop = system.shop;
        service = system.service;
        system.startShop("--ficus.replication.enabled=false");
        system.startService();
        admin = Login.catalogAdmin(shop);
        shopDatabase = system.shopDatabase();
        serviceDatabase = system.serviceDatabase();
    }

    @AfterAll
    static void stopBoth() throws InterruptedException {
        if (system != null) {
            system.stop();
        }
    }

    @Test
    @Order(1)
    void theServiceServesACopyOfTheShopsCatalogAndRefusesWritesWhileItIsOne() {
        awaitNoMismatches(service);
        JsonNode product = shop.get(PRODUCTS + "?size=1").json().get("items").get(0);
        String id = product.get("id").asString();

        assertThat(admin.on(shop).put(PRODUCTS + "/" + id + "/price", price("12.34")).status()).isEqualTo(200);
        await().atMost(CATCH_UP).until(() -> amount(service, id).compareTo(new BigDecimal("12.34")) == 0);

        // The caller may change prices; the service, a read copy, does not take writes.
        Http.Response refused = admin.on(service).put(PRODUCTS + "/" + id + "/price", price("1.00"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("type").asString()).isEqualTo("urn:problem-type:writes-not-owned-here");
        assertThat(amount(service, id)).isEqualByComparingTo("12.34");
    }

    @Test
    @Order(2)
    void aRowTheServiceRejectsIsDeadLetteredLaterChangesStillArriveAndAReplayAfterTheFixConverges() {
        awaitNoMismatches(service);
        // A stray row with SKU POISON-1 straight in the service's database, then the same SKU in the
        // shop: the service's unique index rejects the copy.
        serviceDatabase.sql("insert into catalog.products (id, sku, name, price, currency, category, active, "
                + "created_at, updated_at, version) values (gen_random_uuid(), 'POISON-1', 'stray', 1, 'EUR', 'stray', "
                + "true, now(), now(), 0)").update();
        Http.Response created = admin.on(shop).post(PRODUCTS, """
                {"sku": "POISON-1", "name": "Poisoned", "price": {"amount": 3.00, "currency": "EUR"},
                 "category": "poison"}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String poisoned = created.json().get("id").asString();

        // Changes after it still arrive, and the service stays ready.
        String other = shop.get(PRODUCTS + "?size=1&page=2").json().get("items").get(0).get("id").asString();
        assertThat(admin.on(shop).put(PRODUCTS + "/" + other + "/price", price("23.45")).status()).isEqualTo(200);
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(50))
                .until(() -> amount(service, other).compareTo(new BigDecimal("23.45")) == 0);
        JsonNode status = admin(service).get("/actuator/replication").json();
        assertThat(status.get("state").asString()).isEqualTo("STREAMING");
        assertThat(status.get("pendingDeadLetters").asLong()).isEqualTo(1);
        assertThat(service.status("/actuator/health/readiness")).isEqualTo(200);
        JsonNode health = admin(service).get("/actuator/health").json();
        assertThat(health.get("status").asString()).isEqualTo("DEGRADED");
        assertThat(health.at("/components/replication/details/deadLetters/pending").asLong()).isEqualTo(1);
        JsonNode letter = admin(service).get("/actuator/replication/dead-letters").json().get("shown").get(0);
        assertThat(letter.get("error").asString()).contains("duplicate key").contains("products_sku");
        assertThat(service.get(PRODUCTS + "/" + poisoned).status()).isEqualTo(404);

        // The operator removes the stray row and replays: the product arrives, and both sides agree.
        serviceDatabase.sql("delete from catalog.products where sku = 'POISON-1' and name = 'stray'").update();
        JsonNode replay = admin(service).post("/actuator/replication/dead-letters", "{}").json();
        assertThat(replay.get("replayed").asInt()).isEqualTo(1);
        assertThat(replay.get("pending").asLong()).isZero();
        assertThat(service.get(PRODUCTS + "/" + poisoned).json().get("sku").asString()).isEqualTo("POISON-1");
        awaitNoMismatches(service);
        assertThat(admin(service).get("/actuator/health").json().get("status").asString()).isEqualTo("UP");
    }

    @Test
    @Order(3)
    void reconciliationFindsARowCorruptedByHandAndRepairsIt() throws Exception {
        awaitNoMismatches(service);
        String id = shop.get(PRODUCTS + "?size=1&page=1").json().get("items").get(0).get("id").asString();
        serviceDatabase.sql("update catalog.products set name = 'corrupted by hand' where id = cast(? as uuid)")
                .param(id).update();

        JsonNode found = admin(service).post("/actuator/replication/reconciliations", "{}").json();
        assertThat(found.get("tables").get(0).get("different").asLong()).isEqualTo(1);
        assertThat(found.get("tables").get(0).get("mismatchedKeys").get(0).get("id").asString()).isEqualTo(id);

        JavaProcess.Finished command = system.runServiceCommand("reconcile");
        assertThat(command.exitCode()).as(command.output()).isEqualTo(1);
        assertThat(command.output()).contains("mismatch: {id=" + id + "}").contains("1 mismatches");

        JsonNode repaired = admin(service).post("/actuator/replication/reconciliations", "{\"repair\":true}").json();
        assertThat(repaired.get("tables").get(0).get("repaired").asLong()).isEqualTo(1);
        command = system.runServiceCommand("reconcile");
        assertThat(command.exitCode()).as(command.output()).isZero();
        assertThat(command.output()).contains("0 mismatches");
        assertThat(admin(service).post("/actuator/replication/reconciliations", "{}").json().get("tables").get(0)
                .get("different").asLong()).isZero();
        assertThat(service.get(PRODUCTS + "/" + id).json().get("name").asString()).isNotEqualTo("corrupted by hand");
    }

    @Test
    @Order(4)
    void adminEndpointsNeedCredentialsAndExplainBadRequests() {
        assertThat(service.post("/actuator/replication/reconciliations", "{}").status()).isEqualTo(401);
        assertThat(service.post("/actuator/replication/phase", "{\"phase\":\"WRITES_MOVED\"}").status()).isEqualTo(401);
        // A catalog admin is no operator.
        assertProblem(admin.on(service).post("/actuator/replication/phase", "{\"phase\":\"WRITES_MOVED\"}"), 403);

        Http.Response unknownKey = admin(service).post("/actuator/replication/repairs",
                "{\"table\":\"catalog.products\",\"key\":\"id=" + UUID.randomUUID() + "\"}");
        assertThat(unknownKey.status()).isEqualTo(404);
        assertThat(unknownKey.json().get("type").asString()).isEqualTo("urn:problem-type:row-not-found");

        assertProblem(admin(service).post("/actuator/replication/repairs",
                "{\"table\":\"catalog.products\",\"key\":\"id=not-a-uuid\"}"), 400);
        assertProblem(admin(service).post("/actuator/replication/repairs",
                "{\"table\":\"catalog.nothing\",\"key\":\"id=1\"}"), 400);
        assertProblem(admin(service).post("/actuator/replication/repairs", "{\"table\":\"catalog.products\"}"), 400);
        assertProblem(admin(service).post("/actuator/replication/repairs", "{not json"), 400);
        assertProblem(admin(service).post("/actuator/replication/phase", "{\"phase\":\"HALFWAY\"}"), 400);
        assertThat(admin(service).get("/actuator/replication/phase").json().get("phase").asString())
                .isEqualTo("READ_COPY");
    }

    @Test
    @Order(5)
    void noChangeIsLostWhenTheServiceIsKilledInTheMiddleOfThousandsOfWrites() throws Exception {
        awaitNoMismatches(service);
        List<String> ids = shopDatabase.sql("select id::text from catalog.products").query(String.class).list();
        int writes = 4000;
        int killAt = 1200;
        int exitCode = -1;
        for (int write = 1; write <= writes; write++) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int kind = random.nextInt(10);
            if (kind < 7) {
                shopDatabase.sql("update catalog.products set price_amount = ?, version = version + 1, "
                                + "updated_at = now() where id = cast(? as uuid)")
                        .params(BigDecimal.valueOf(random.nextInt(1, 100_000), 2), ids.get(random.nextInt(ids.size())))
                        .update();
            }
            else if (kind < 9) {
                shopDatabase.sql("insert into catalog.products (id, sku, name, description, price_amount, "
                                + "price_currency, category, active, created_at, updated_at, version) "
                                + "values (gen_random_uuid(), ?, 'written during the crash', null, 9.99, 'EUR', "
                                + "'crash', true, now(), now(), 0)")
                        .param("CRASH-" + write).update();
            }
            else {
                shopDatabase.sql("delete from catalog.products where sku = (select sku from catalog.products "
                        + "where category = 'crash' order by sku limit 1)").update();
            }
            if (write == killAt) {
                exitCode = system.killService();
            }
        }
        assertThat(exitCode).as("killed by SIGKILL").isEqualTo(137);

        system.startService();
        JsonNode table = awaitNoMismatches(service);
        long shopRows = shopDatabase.sql("select count(*) from catalog.products").query(Long.class).single();
        assertThat(table.get("sourceRows").asLong()).isEqualTo(shopRows);
        assertThat(table.get("targetRows").asLong()).isEqualTo(shopRows);
    }

    @Test
    @Order(6)
    void writesMoveInOneStepWhileBothSidesAreWrittenAndNothingIsLostOrDivergesOrBouncesBack() throws Exception {
        // Step 2 of the extraction: the shop restarts with sync back on.
        system.stopShop();
        system.startShop("--ficus.replication.enabled=true");
        awaitNoMismatches(shop);
        JsonNode page = shop.get(PRODUCTS + "?size=20&page=3").json().get("items");
        List<String> writtenInShop = new ArrayList<>();
        List<String> writtenInService = new ArrayList<>();
        for (int i = 0; i < page.size(); i++) {
            (i < 10 ? writtenInShop : writtenInService).add(page.get(i).get("id").asString());
        }

        // Both sides are written all along; the switch happens in the middle.
        try (Writer toShop = new Writer(shop, writtenInShop, "writes-moved");
             Writer toService = new Writer(service, writtenInService, "writes-not-owned-here")) {
            await().atMost(CATCH_UP).until(() -> toShop.accepted.get() >= 20 && toService.refused.get() >= 20);
            Http.Response switched = admin(service).post("/actuator/replication/phase", "{\"phase\":\"WRITES_MOVED\"}");
            assertThat(switched.status()).as(switched.body()).isEqualTo(200);
            await().atMost(CATCH_UP).until(() -> toShop.refused.get() >= 20 && toService.accepted.get() >= 20);
            toShop.close();
            toService.close();

            assertThat(toShop.unexpected).as("answers other than 2xx and the refusal").isEmpty();
            assertThat(toService.unexpected).as("answers other than 2xx and the refusal").isEmpty();
            assertThat(toShop.accepted.get()).as("shop writes before the switch").isPositive();
            assertThat(toShop.refused.get()).as("shop writes refused after it").isPositive();
            assertThat(toService.refused.get()).as("service writes refused before it").isPositive();
            assertThat(toService.accepted.get()).as("service writes after it").isPositive();
            // Every accepted write is on both sides: the last accepted price of each product.
            await().atMost(CATCH_UP).untilAsserted(() -> {
                for (Writer writer : List.of(toShop, toService)) {
                    writer.lastAccepted.forEach((id, amount) -> {
                        assertThat(amount(shop, id)).as("shop %s", id).isEqualByComparingTo(amount);
                        assertThat(amount(service, id)).as("service %s", id).isEqualByComparingTo(amount);
                    });
                }
            });
        }

        String sku = "MOVED-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        assertThat(admin.on(service).post(PRODUCTS, """
                {"sku": "%s", "name": "Made in the service", "price": {"amount": 5.00, "currency": "EUR"},
                 "category": "moved"}""".formatted(sku)).status()).isEqualTo(201);
        await().atMost(CATCH_UP).until(() -> shop.get(PRODUCTS + "/sku/" + sku).status() == 200);
        Http.Response refused = admin.on(shop).post(PRODUCTS, """
                {"sku": "%s-2", "name": "Made in the shop", "price": {"amount": 5.00, "currency": "EUR"},
                 "category": "moved"}""".formatted(sku));
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("type").asString()).isEqualTo("urn:problem-type:writes-moved");
        assertThat(refused.json().get("detail").asString()).contains("catalog.products").contains("catalog_service");

        List<Long> settled = appliedBatches();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15)).until(() -> appliedBatches().equals(settled));
        awaitNoMismatches(service);
        awaitNoMismatches(shop);
        String anyMoved = writtenInService.getFirst();
        assertThat(shop.get(PRODUCTS + "/" + anyMoved).json().get("version").asLong())
                .isEqualTo(service.get(PRODUCTS + "/" + anyMoved).json().get("version").asLong());
    }

    /**
     * Changes the prices of some products through one application's API, one after another, as fast
     * as it answers, as the catalog admin: remembers the last price it accepted per product, and
     * counts refusals of the expected kind; anything else is unexpected.
     */
    private static final class Writer implements AutoCloseable {

        final Map<String, BigDecimal> lastAccepted = new ConcurrentHashMap<>();
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final List<String> unexpected = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Writer(Http application, List<String> products, String refusal) {
            thread = Thread.ofVirtual().start(() -> {
                for (int write = 1; running.get(); write++) {
                    String id = products.get(write % products.size());
                    BigDecimal amount = BigDecimal.valueOf(write, 2);
                    Http.Response response = admin.on(application).put(PRODUCTS + "/" + id + "/price",
                            price(amount.toPlainString()));
                    if (response.status() == 200) {
                        lastAccepted.put(id, amount);
                        accepted.incrementAndGet();
                    }
                    else if (response.status() == 409
                            && response.body().contains("urn:problem-type:" + refusal)) {
                        refused.incrementAndGet();
                    }
                    else {
                        unexpected.add(response.status() + " " + response.body());
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /** How many transactions each direction has written: they stop growing once nothing bounces. */
    private static List<Long> appliedBatches() {
        return List.of(
                serviceDatabase.sql("select batches from replication.applied_batches where replication = 'catalog_service'")
                        .query(Long.class).single(),
                shopDatabase.sql("select batches from replication.applied_batches where replication = 'catalog_sync_back'")
                        .query(Long.class).single());
    }

    private static JsonNode awaitNoMismatches(Http application) {
        JsonNode[] table = new JsonNode[1];
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode report = admin(application).post("/actuator/replication/reconciliations", "{}").json();
            table[0] = report.get("tables").get(0);
            assertThat(table[0].get("missing").asLong() + table[0].get("unexpected").asLong()
                    + table[0].get("different").asLong()).as("%s", report).isZero();
        });
        return table[0];
    }

    private static void assertProblem(Http.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private static BigDecimal amount(Http application, String id) {
        return application.get(PRODUCTS + "/" + id).json().get("price").get("amount").decimalValue();
    }

    private static String price(String amount) {
        return "{\"amount\": " + amount + ", \"currency\": \"EUR\"}";
    }

    private static Http admin(Http application) {
        return ShopAndService.admin(application);
    }
}
