package dev.ficus.systemtests;

import java.nio.file.Path;
import java.time.Duration;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;


import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Moving the catalog's reads from the shop to catalog-service with flags on a real Unleash server:
 * monolith only → shadow → sticky canary at 25% → cut-over → the service killed and the module
 * answering → the service back and the traffic with it. The shop, the service and Unleash each
 * run as their own process. The readers are anonymous: each names its session ({@code X-Session-Id}),
 * which a rollout is sticky to when no user is logged in.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StranglerRoutingTests {

    private static final String SKU = "/api/catalog/products/sku/";
    /** The shop fetches flags every second; a change must show within that, give or take a fetch. */
    private static final Duration FLAG_CHANGE = Duration.ofSeconds(5);

    @TempDir
    static Path work;

    private static ShopAndService system;
    private static Http shop;
    private static Http service;
    private static UnleashServer unleash;
    private static String shadowStrategy;
    private static String extractedStrategy;

    @BeforeAll
    static void start() throws Exception {
        unleash = new UnleashServer("ficus_routing_test").start();
        shadowStrategy = unleash.createFlag("catalog-reads.shadow", 100);
        unleash.switchFlag("catalog-reads.shadow", false);
        extractedStrategy = unleash.createFlag("catalog-reads.extracted", 0);

        system = new ShopAndService(work, "routing-");
        shop = system.shop;
        service = system.service;
        system.startShop(
                "--ficus.routing.flags.unleash-url=" + unleash.clientApi(),
                "--ficus.routing.flags.api-token=" + UnleashServer.CLIENT_TOKEN,
                "--ficus.routing.flags.refresh-interval=1s",
                "--ficus.routing.flags.backup-file=" + work.resolve("flags-backup.json"));
        system.startService();
        // Same data on both sides before anything is compared.
        await().atMost(Duration.ofMinutes(2)).until(() -> admin(service)
                .post("/actuator/replication/reconciliations", "{}").json().path("tables").path(0)
                .path("targetRows").asLong() == 300);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (system != null) {
            system.stop();
        }
        if (unleash != null) {
            unleash.stop();
        }
    }

    @Test
    @Order(1)
    void withTheFlagsOffTheMonolithServesEverything() {
        double before = serviceReads();
        for (int i = 1; i <= 50; i++) {
            assertThat(read(i, "anyone").status()).isEqualTo(200);
        }
        assertThat(route()).isEqualTo("MONOLITH");
        assertThat(serviceReads()).isEqualTo(before);
    }

    @Test
    @Order(2)
    void inTheShadowsIdenticalAnswersMatchAndADifferentOneIsCaught() {
        unleash.switchFlag("catalog-reads.shadow", true);
        await().atMost(FLAG_CHANGE).until(() -> route().equals("SHADOW"));
        for (int i = 1; i <= 200; i++) {
            assertThat(read(i, "session-" + i).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> routing().path("shadowMatches").asLong() >= 200);
        assertThat(routing().path("shadowMismatches").asLong()).isZero();

        system.serviceDatabase()
                .sql("update catalog.products set name = 'Not what the shop says' where sku = 'SKU-0007'").update();
        assertThat(read(7, "session-7").json().path("name").asString()).as("still the module's answer")
                .isNotEqualTo("Not what the shop says");
        await().atMost(Duration.ofSeconds(30)).until(() -> routing().path("shadowMismatches").asLong() == 1);
        JsonNode mismatch = routing().path("recentMismatches").path(0);
        assertThat(mismatch.path("call").asString()).isEqualTo("findBySku[SKU-0007]");
        assertThat(mismatch.path("differences").toString()).contains("/name");
        assertThat(mismatch.path("service").path("name").asString()).isEqualTo("Not what the shop says");

        admin(service).post("/actuator/replication/reconciliations", "{\"repair\":true}");
        unleash.switchFlag("catalog-reads.shadow", false);
        await().atMost(FLAG_CHANGE).until(() -> route().equals("MONOLITH"));
    }

    @Test
    @Order(3)
    void aCanaryOfTwentyFivePercentIsStickyPerSession() {
        unleash.rollOut("catalog-reads.extracted", extractedStrategy, 25);
        await().atMost(FLAG_CHANGE).until(() -> route().equals("CANARY"));
        int sessions = 400;
        int servedByService = 0;
        for (int session = 0; session < sessions; session++) {
            double before = serviceReads();
            for (int call = 0; call < 3; call++) {
                // Every reader also claims to be one user: the shop no longer takes a user from a
                // header, else all of them would share that user's route (a share of 0 or 1).
                assertThat(shop.get(SKU + "SKU-%04d".formatted(1 + (session + call) % 300),
                        "X-Session-Id", "session-" + session, "X-User-Id", "mallory").status()).isEqualTo(200);
            }
            double served = serviceReads() - before;
            assertThat(served).as("session-%d took one route every time", session).isIn(0.0, 3.0);
            if (served == 3.0) {
                servedByService++;
            }
        }
        assertThat(servedByService / (double) sessions).isBetween(0.18, 0.32);
    }

    @Test
    @Order(4)
    void cutOverSendsEveryoneToTheServiceAndSurvivesTheFlagServerGoingAway() throws InterruptedException {
        unleash.rollOut("catalog-reads.extracted", extractedStrategy, 100);
        await().atMost(FLAG_CHANGE).until(() -> route().equals("EXTRACTED"));
        double before = serviceReads();
        for (int i = 1; i <= 40; i++) {
            assertThat(read(i, "session-" + i).status()).isEqualTo(200);
        }
        assertThat(serviceReads() - before).isEqualTo(40);

        unleash.stop();
        before = serviceReads();
        for (int i = 1; i <= 40; i++) {
            assertThat(read(i, "session-" + i).status()).isEqualTo(200);
        }
        assertThat(serviceReads() - before).as("the last flags hold").isEqualTo(40);
        assertThat(route()).isEqualTo("EXTRACTED");
    }

    @Test
    @Order(5)
    void whenTheServiceDiesTheModuleAnswersAndTrafficReturnsWhenItIsBack() throws InterruptedException {
        String name = read(42, "session-42").json().path("name").asString();
        system.killService();
        for (int i = 0; i < 30; i++) {
            Http.Response response = read(42, "session-" + i);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().path("name").asString()).isEqualTo(name);
        }
        assertThat(routing().path("fallbacks").asLong()).isGreaterThanOrEqualTo(30);
        assertThat(routing().path("circuit").asString()).isEqualTo("OPEN");

        system.startService();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(read(42, "session-1").status()).isEqualTo(200);
            return routing().path("circuit").asString().equals("CLOSED");
        });
        double before = serviceReads();
        for (int i = 1; i <= 10; i++) {
            assertThat(read(i, "session-" + i).status()).isEqualTo(200);
        }
        assertThat(serviceReads() - before).isEqualTo(10);
    }

    /** An anonymous read, in the named session. */
    private static Http.Response read(int product, String session) {
        return shop.get(SKU + "SKU-%04d".formatted(product), "X-Session-Id", session);
    }

    private static JsonNode routing() {
        return admin(shop).get("/actuator/routing").json().path("catalog-reads");
    }

    private static String route() {
        return routing().path("route").asString();
    }

    /** Reads by SKU the service has answered, from its own metrics. */
    private static double serviceReads() {
        double total = 0;
        for (String line : admin(service).get("/actuator/prometheus").body().split("\n")) {
            if (line.startsWith("http_server_requests_seconds_count") && line.contains("uri=\"/api/catalog/products/sku/{sku}\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static Http admin(Http application) {
        return ShopAndService.admin(application);
    }
}
