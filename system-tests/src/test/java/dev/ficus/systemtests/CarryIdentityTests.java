package dev.ficus.systemtests;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
 * Who may change the catalog, and whose orders a customer may read, stay the same while the
 * catalog moves to catalog-service: the shop, the service and Unleash each run as their own
 * process, and every token comes from the shop's token endpoint (the demo accounts). A price is
 * changed by a catalog admin only, in every route the flags give the catalog (monolith, shadow,
 * writes routed to the service), and at the service itself once it owns the writes; with writes
 * routed, the caller's own token reaches the service, and a refused caller never does. A customer
 * reads their own orders only. A token signed before a key rotation keeps working at the shop and
 * at the service, and one signed after it works at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CarryIdentityTests {

    private static final String PRODUCTS = "/api/catalog/products";
    private static final Duration FLAG_CHANGE = Duration.ofSeconds(5);
    private static final Duration CATCH_UP = Duration.ofMinutes(2);

    @TempDir
    static Path work;

    private static ShopAndService system;
    private static Http shop;
    private static Http service;
    private static UnleashServer unleash;
    private static String writesStrategy;
    private static Login admin;
    private static Login customer;

    @BeforeAll
    static void start() throws Exception {
        unleash = new UnleashServer("ficus_identity_test").start();
        unleash.createFlag("catalog-reads.shadow", 100);
        unleash.switchFlag("catalog-reads.shadow", false);
        writesStrategy = unleash.createFlag("catalog-writes.extracted", 0);

        system = new ShopAndService(work, "identity-");
        shop = system.shop;
        service = system.service;
        system.startShop(
                "--ficus.routing.flags.unleash-url=" + unleash.clientApi(),
                "--ficus.routing.flags.api-token=" + UnleashServer.CLIENT_TOKEN,
                "--ficus.routing.flags.refresh-interval=1s",
                "--ficus.routing.flags.backup-file=" + work.resolve("flags-backup.json"),
                // The sync back from the service's database, so that the shop's copy follows once
                // writes move there; it starts streaming as soon as the service's database is there.
                "--ficus.replication.enabled=true",
                // A rotated key signs at once: the last test sees tokens of both keys without waiting.
                "--ficus.identity.issuing.publish-ahead=0s");
        system.startService();
        await().atMost(CATCH_UP).until(() -> admin(service)
                .post("/actuator/replication/reconciliations", "{}").json().path("tables").path(0)
                .path("targetRows").asLong() == 300);
        admin = Login.catalogAdmin(shop);
        customer = Login.demo(shop, "grace1@example.com");
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
    void inTheMonolithOnlyACatalogAdminChangesAPriceAndTheServiceStatesTheSameRules() {
        assertThat(route("catalog-reads")).isEqualTo("MONOLITH");
        assertThat(route("catalog-writes")).isEqualTo("MONOLITH");
        assertOnlyACatalogAdminChangesThePrice(shop, "SKU-0011", "11.11");

        // The service, still a read copy, checks the caller before it refuses the write as not its own.
        String id = idOf("SKU-0011");
        assertProblem(service.put(pricePath(id), price("1.00")), 401, "unauthenticated");
        assertProblem(customer.on(service).put(pricePath(id), price("1.00")), 403, "forbidden");
        assertProblem(admin.on(service).put(pricePath(id), price("1.00")), 409, "writes-not-owned-here");
    }

    @Test
    @Order(2)
    void inTheShadowsOnlyACatalogAdminChangesAPrice() {
        unleash.switchFlag("catalog-reads.shadow", true);
        await().atMost(FLAG_CHANGE).until(() -> route("catalog-reads").equals("SHADOW"));
        assertOnlyACatalogAdminChangesThePrice(shop, "SKU-0012", "12.12");
        String id = idOf("SKU-0012");
        await().atMost(CATCH_UP).until(() -> amount(service, id).compareTo(new BigDecimal("12.12")) == 0);
    }

    /**
     * Writes routed to the service, which owns them: the shop's own table is fenced, so a write the
     * service refused could not be made by the module instead. A write answered 200 was therefore
     * made by the service, with the caller's token; the refused callers never reached it.
     */
    @Test
    @Order(3)
    void withWritesRoutedToTheServiceTheCallersTokenTravelsWithThemAndARefusedCallerNeverGetsThere() {
        await().atMost(CATCH_UP).until(() -> "STREAMING".equals(admin(shop).get("/actuator/replication").json()
                .path("state").asString()));
        unleash.rollOut("catalog-writes.extracted", writesStrategy, 100);
        await().atMost(FLAG_CHANGE).until(() -> route("catalog-writes").equals("EXTRACTED"));
        Http.Response switched = admin(service).post("/actuator/replication/phase", "{\"phase\":\"WRITES_MOVED\"}");
        assertThat(switched.status()).as(switched.body()).isEqualTo(200);

        String id = idOf("SKU-0013");
        BigDecimal stored = priceInTheService(id);
        double puts = servicePuts();
        double refusals = serviceRefusals();
        long fallbacks = routing("catalog-writes").path("fallbacks").asLong();

        assertProblem(shop.put(pricePath(id), price("1.00")), 401, "unauthenticated");
        assertProblem(customer.on(shop).put(pricePath(id), price("1.00")), 403, "forbidden");
        assertThat(priceInTheService(id)).as("the service's row after the refused writes").isEqualByComparingTo(stored);

        Http.Response changed = admin.on(shop).put(pricePath(id), price("13.13"));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(priceInTheService(id)).isEqualByComparingTo("13.13");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(servicePuts())
                .as("PUTs the service answered: the admin's only").isEqualTo(puts + 1));
        assertThat(serviceRefusals()).as("callers the service refused").isEqualTo(refusals);
        assertThat(routing("catalog-writes").path("fallbacks").asLong()).as("writes the module made instead")
                .isEqualTo(fallbacks);
        // The sync back brings the service's change to the shop's own table.
        await().atMost(CATCH_UP).until(() -> amount(shop, id).compareTo(new BigDecimal("13.13")) == 0);
    }

    @Test
    @Order(4)
    void atTheServiceAfterTheCutOverOnlyACatalogAdminChangesAPrice() {
        double refusals = serviceRefusals();
        assertOnlyACatalogAdminChangesThePrice(service, "SKU-0014", "14.14");
        assertThat(serviceRefusals()).as("the anonymous caller and the customer, refused by the service itself")
                .isEqualTo(refusals + 2);
        String id = idOf("SKU-0014");
        await().atMost(CATCH_UP).until(() -> amount(shop, id).compareTo(new BigDecimal("14.14")) == 0);
    }

    @Test
    @Order(5)
    void aCustomerReadsTheirOwnOrdersOnly() {
        Login other = Login.demo(shop, "alan2@example.com");
        Http.Response placed = customer.on(shop).post("/api/orders", order(customer.customerId()));
        assertThat(placed.status()).as(placed.body()).isEqualTo(201);
        String order = "/api/orders/" + placed.json().path("id").asString();

        // Another customer's order is answered as one that does not exist: ids cannot be probed.
        assertProblem(other.on(shop).get(order), 404, "order-not-found");
        assertProblem(other.on(shop).get("/api/orders/" + UUID.randomUUID()), 404, "order-not-found");
        assertProblem(shop.get(order), 401, "unauthenticated");
        assertProblem(other.on(shop).post("/api/orders", order(customer.customerId())), 403,
                "order-for-someone-else");

        Http.Response own = customer.on(shop).get(order);
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        assertThat(own.json().path("customerId").asString()).isEqualTo(customer.customerId());
    }

    @Test
    @Order(6)
    void aTokenSignedBeforeAKeyRotationStillWorksAtTheShopAndTheServiceAndOneSignedAfterItToo() {
        String before = Login.token(shop, Login.CATALOG_ADMIN, Login.DEMO_PASSWORD);
        Http.Response rotated = admin(shop).post("/admin/identity/keys", "{}");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
        String newKey = rotated.json().path("kid").asString();
        String oldKey = Login.header(before).path("kid").asString();
        assertThat(newKey).isNotEqualTo(oldKey);
        List<String> published = new ArrayList<>();
        shop.get("/oauth2/jwks").json().path("keys").forEach(key -> published.add(key.path("kid").asString()));
        assertThat(published).contains(oldKey, newKey);
        String after = Login.token(shop, Login.CATALOG_ADMIN, Login.DEMO_PASSWORD);
        assertThat(Login.header(after).path("kid").asString()).as("the key that signs now").isEqualTo(newKey);

        // Writes go to the service through the shop, and straight to it: each checks both tokens.
        String id = idOf("SKU-0015");
        int cents = 1500;
        for (String token : List.of(before, after)) {
            for (Http application : List.of(shop, service)) {
                String amount = BigDecimal.valueOf(++cents, 2).toPlainString();
                Http.Response changed = application.withToken(token).put(pricePath(id), price(amount));
                assertThat(changed.status()).as("signed by %s, at port %d: %s", Login.header(token).path("kid"),
                        application.port(), changed.body()).isEqualTo(200);
                assertThat(amount(service, id)).isEqualByComparingTo(amount);
            }
        }
    }

    /**
     * The price of a product changed at the application: refused without a token (401) and with a
     * customer's (403), each a problem, and nothing changed; made with the catalog admin's (200),
     * and read back there.
     */
    private static void assertOnlyACatalogAdminChangesThePrice(Http application, String sku, String amount) {
        String id = idOf(sku);
        BigDecimal before = amount(application, id);
        assertThat(before).isNotEqualByComparingTo(amount);

        Http.Response anonymous = application.put(pricePath(id), price(amount));
        assertProblem(anonymous, 401, "unauthenticated");
        assertThat(anonymous.header("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Bearer"));
        assertProblem(customer.on(application).put(pricePath(id), price(amount)), 403, "forbidden");
        assertThat(amount(application, id)).isEqualByComparingTo(before);

        Http.Response changed = admin.on(application).put(pricePath(id), price(amount));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().path("price").path("amount").decimalValue()).isEqualByComparingTo(amount);
        await().atMost(Duration.ofSeconds(30)).until(() -> amount(application, id)
                .compareTo(new BigDecimal(amount)) == 0);
    }

    private static void assertProblem(Http.Response response, int status, String type) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().path("type").asString()).isEqualTo("urn:problem-type:" + type);
    }

    private static String idOf(String sku) {
        return shop.get(PRODUCTS + "/sku/" + sku).json().path("id").asString();
    }

    private static BigDecimal amount(Http application, String id) {
        return application.get(PRODUCTS + "/" + id).json().path("price").path("amount").decimalValue();
    }

    private static BigDecimal priceInTheService(String id) {
        return system.serviceDatabase().sql("select price from catalog.products where id = cast(? as uuid)")
                .param(id).query(BigDecimal.class).single();
    }

    private static String pricePath(String id) {
        return PRODUCTS + "/" + id + "/price";
    }

    private static String price(String amount) {
        return "{\"amount\": " + amount + ", \"currency\": \"EUR\"}";
    }

    private static String order(String customerId) {
        return "{\"customerId\": \"" + customerId + "\", \"lines\": [{\"sku\": \"SKU-0001\", \"quantity\": 1}]}";
    }

    private static JsonNode routing(String capability) {
        return admin(shop).get("/actuator/routing").json().path(capability);
    }

    private static String route(String capability) {
        return routing(capability).path("route").asString();
    }

    /** PUT requests the service answered, whatever their path and status, from its own metrics. */
    private static double servicePuts() {
        return sum(admin(service).get("/actuator/prometheus").body(), "http_server_requests_seconds_count{",
                "method=\"PUT\"");
    }

    /** Requests the service's security refused (401 and 403), from its own metrics. */
    private static double serviceRefusals() {
        return sum(admin(service).get("/actuator/prometheus").body(), "ficus_security_refusals_total{", "");
    }

    private static double sum(String metrics, String series, String containing) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series) && line.contains(containing)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static Http admin(Http application) {
        return ShopAndService.admin(application);
    }
}
