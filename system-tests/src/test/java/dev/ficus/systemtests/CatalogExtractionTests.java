package dev.ficus.systemtests;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

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
 * each on its own embedded PostgreSQL: the service's read copy follows the shop, survives a
 * {@code kill -9} in the middle of thousands of writes, and once writes move to the service the
 * shop is kept current the other way round, without changes bouncing between them.
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

    @BeforeAll
    static void startShopThenService() {
        system = new ShopAndService(work, "");
        shop = system.shop;
        service = system.service;
        system.startShop("--ficus.replication.enabled=false");
        system.startService();
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

        assertThat(shop.put(PRODUCTS + "/" + id + "/price", price("12.34")).status()).isEqualTo(200);
        await().atMost(CATCH_UP).until(() -> amount(service, id).compareTo(new BigDecimal("12.34")) == 0);

        Http.Response refused = service.put(PRODUCTS + "/" + id + "/price", price("1.00"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("type").asString()).isEqualTo("urn:problem-type:writes-not-owned-here");
        assertThat(amount(service, id)).isEqualByComparingTo("12.34");
    }

    @Test
    @Order(2)
    void reconciliationFindsARowCorruptedByHandAndRepairsIt() throws Exception {
        awaitNoMismatches(service);
        String id = shop.get(PRODUCTS + "?size=1&page=1").json().get("items").get(0).get("id").asString();
        serviceDatabase.sql("update catalog.products set name = 'corrupted by hand' where id = cast(? as uuid)")
                .param(id).update();

        JsonNode found = admin(service).post("/admin/replication/reconciliations", null).json();
        assertThat(found.get("tables").get(0).get("different").asLong()).isEqualTo(1);
        assertThat(found.get("tables").get(0).get("mismatchedKeys").get(0).get("id").asString()).isEqualTo(id);

        JavaProcess.Finished command = system.runServiceCommand("reconcile");
        assertThat(command.exitCode()).as(command.output()).isEqualTo(1);
        assertThat(command.output()).contains("mismatch: {id=" + id + "}").contains("1 mismatches");

        JsonNode repaired = admin(service).post("/admin/replication/reconciliations?repair=true", null).json();
        assertThat(repaired.get("tables").get(0).get("repaired").asLong()).isEqualTo(1);
        command = system.runServiceCommand("reconcile");
        assertThat(command.exitCode()).as(command.output()).isZero();
        assertThat(command.output()).contains("0 mismatches");
        assertThat(admin(service).post("/admin/replication/reconciliations", null).json().get("tables").get(0)
                .get("different").asLong()).isZero();
        assertThat(service.get(PRODUCTS + "/" + id).json().get("name").asString()).isNotEqualTo("corrupted by hand");
    }

    @Test
    @Order(3)
    void adminEndpointsNeedCredentialsAndExplainBadRequests() {
        assertThat(service.post("/admin/replication/reconciliations", null).status()).isEqualTo(401);
        assertThat(service.put("/admin/replication/phase", "{\"phase\":\"WRITES_MOVED\"}").status()).isEqualTo(401);

        Http.Response unknownKey = admin(service).post("/admin/replication/repairs",
                "{\"table\":\"catalog.products\",\"key\":{\"id\":\"" + UUID.randomUUID() + "\"}}");
        assertThat(unknownKey.status()).isEqualTo(404);
        assertThat(unknownKey.json().get("type").asString()).isEqualTo("urn:problem-type:row-not-found");

        assertProblem(admin(service).post("/admin/replication/repairs",
                "{\"table\":\"catalog.products\",\"key\":{\"id\":\"not-a-uuid\"}}"), 400);
        assertProblem(admin(service).post("/admin/replication/repairs",
                "{\"table\":\"catalog.nothing\",\"key\":{\"id\":\"1\"}}"), 400);
        assertProblem(admin(service).post("/admin/replication/repairs", "{\"table\":\"catalog.products\"}"), 400);
        assertProblem(admin(service).post("/admin/replication/repairs", "{not json"), 400);
        assertProblem(admin(service).put("/admin/replication/phase", "{\"phase\":\"HALFWAY\"}"), 400);
        assertThat(admin(service).get("/admin/replication/phase").json().get("phase").asString())
                .isEqualTo("READ_COPY");
    }

    @Test
    @Order(4)
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
    @Order(5)
    void onceWritesMovedTheShopIsKeptCurrentFromTheServiceWithoutPingPong() throws InterruptedException {
        // Step 2 of the extraction: the shop restarts with sync back on.
        system.stopShop();
        system.startShop("--ficus.replication.enabled=true");
        awaitNoMismatches(shop);
        assertThat(admin(service).put("/admin/replication/phase", "{\"phase\":\"WRITES_MOVED\"}").status())
                .isEqualTo(200);
        JsonNode products = shop.get(PRODUCTS + "?size=2&page=3").json().get("items");
        String changedInService = products.get(0).get("id").asString();
        String changedInShop = products.get(1).get("id").asString();

        assertThat(service.put(PRODUCTS + "/" + changedInService + "/price", price("77.70")).status()).isEqualTo(200);
        assertThat(shop.put(PRODUCTS + "/" + changedInShop + "/price", price("55.50")).status()).isEqualTo(200);
        String sku = "MOVED-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        assertThat(service.post(PRODUCTS, """
                {"sku": "%s", "name": "Made in the service", "price": {"amount": 5.00, "currency": "EUR"},
                 "category": "moved"}""".formatted(sku)).status()).isEqualTo(201);

        await().atMost(CATCH_UP).untilAsserted(() -> {
            // Read through the shop's API: its cache is evicted by its own change stream.
            assertThat(amount(shop, changedInService)).isEqualByComparingTo("77.70");
            assertThat(amount(service, changedInShop)).isEqualByComparingTo("55.50");
            assertThat(shop.get(PRODUCTS + "/sku/" + sku).status()).isEqualTo(200);
        });

        List<Long> settled = appliedBatches();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15)).until(() -> appliedBatches().equals(settled));
        awaitNoMismatches(service);
        awaitNoMismatches(shop);
        assertThat(shop.get(PRODUCTS + "/" + changedInService).json().get("version").asLong())
                .isEqualTo(service.get(PRODUCTS + "/" + changedInService).json().get("version").asLong());
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
            JsonNode report = admin(application).post("/admin/replication/reconciliations", null).json();
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
