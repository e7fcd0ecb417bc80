package dev.ficus.systemtests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.ficus.systemtests.ShopAndService.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The second extraction, event-driven, with the shop, inventory-service, Unleash and the machine's
 * RabbitMQ as real processes: the service shadows the inventory module's reservations, survives
 * its own kill -9, a broker restart, a duplicate and a poison message; then the flags cut the
 * reservations over while orders flow, the service takes the stock over, and it, the broker and the
 * shop (whose relay is publishing) are broken again. After each step every order is decided, and
 * reserved by exactly one side; the stock reserved is exactly what the confirmed orders hold. Orders
 * are placed by the demo customers, each logged in; the stock is restocked by the catalog admin.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InventoryExtractionTests {

    private static final String CAPABILITY = "inventory-reservations";
    private static final Duration DECIDED = Duration.ofSeconds(90);
    private static final String STOCK = "/api/inventory/stock/";

    @TempDir
    static Path work;

    private static ShopAndService system;
    private static UnleashServer unleash;
    private static String extractedStrategy;
    private static JdbcClient shopDatabase;
    private static JdbcClient serviceDatabase;
    private static List<Login> customers;
    private static final StringBuilder report = new StringBuilder();

    @BeforeAll
    static void start() throws Exception {
        unleash = new UnleashServer("ficus_inventory_test").start();
        unleash.createFlag(CAPABILITY + ".shadow", 100);
        unleash.switchFlag(CAPABILITY + ".shadow", false);
        extractedStrategy = unleash.createFlag(CAPABILITY + ".extracted", 0);

        system = new ShopAndService(work, "inventory-");
        startShop();
        system.startInventoryService();
        shopDatabase = system.shopDatabase();
        serviceDatabase = system.inventoryDatabase();
        customers = shopDatabase.sql("select email from customers.customers order by email").query(String.class)
                .list().stream().map(email -> Login.demo(system.shop, email)).toList();
        await().atMost(Duration.ofMinutes(2)).until(() -> reconciliation().path("tables").path(0).path("targetRows")
                .asLong() > 0 && reconciliation().path("mismatches").asLong(-1) == 0);
    }

    /** The shop, following the flags on Unleash, unlimited: the order streams are many clients in one. */
    private static void startShop() {
        system.startShop(
                "--ficus.routing.flags.unleash-url=" + unleash.clientApi(),
                "--ficus.routing.flags.api-token=" + UnleashServer.CLIENT_TOKEN,
                "--ficus.routing.flags.refresh-interval=1s",
                "--ficus.routing.flags.backup-file=" + work.resolve("flags-backup.json"),
                "--ficus.messaging.route-interval=500ms",
                "--ficus.limits.enabled=false");
    }

    @AfterAll
    static void stop() throws Exception {
        Files.writeString(Path.of("target", "inventory-extraction.txt"), report);
        if (system != null) {
            system.stop();
        }
        if (unleash != null) {
            unleash.stop();
        }
    }

    @Test
    @Order(1)
    void inTheShadowsTheServiceDecidesEveryOrderAsTheModuleDoesWithoutReservingAnything() throws Exception {
        unleash.switchFlag(CAPABILITY + ".shadow", true);
        awaitRoute("SHADOW");
        Set<UUID> placed;
        try (OrderStream orders = new OrderStream(system.shop, customers, 1)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= 40);
            orders.close();
            placed = orders.placed;
        }
        awaitEveryOrderDecided();

        await().atMost(Duration.ofSeconds(60)).until(() -> comparisons().path("shadowMatches").asLong()
                + comparisons().path("shadowMismatches").asLong() >= placed.size());
        JsonNode compared = comparisons();
        long matches = compared.path("shadowMatches").asLong();
        long mismatches = compared.path("shadowMismatches").asLong();
        report.append("shadow, one client: %d orders, %d decisions compared, %d matched (%.1f %%), mismatches: %s%n"
                .formatted(placed.size(), matches + mismatches, matches, 100.0 * matches / (matches + mismatches),
                        compared.path("recentMismatches")));
        assertThat(mismatches).as("orders placed one at a time leave nothing to disagree on").isZero();
        assertThat(serviceOnlyReservations()).as("the service reserved nothing of its own").isZero();
        assertEveryOrderReservedOnceAndTheStockAddsUp(shopDatabase);
    }

    @Test
    @Order(2)
    void theShadowSurvivesTheServicesKillABrokerRestartADuplicateAndAPoisonMessage() throws Exception {
        try (OrderStream orders = new OrderStream(system.shop, customers, 3)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= 30);
            assertThat(system.killInventoryService()).as("killed by SIGKILL").isEqualTo(137);
            int atKill = orders.size();
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= atKill + 30);
            system.startInventoryService();

            restartBroker();
            int atRestart = orders.size();
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= atRestart + 30);

            publishAgain(lastRelayedOrder());
            publishPoison();
            int atPoison = orders.size();
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= atPoison + 30);
        }
        awaitEveryOrderDecided();

        assertEveryOrderReservedOnceAndTheStockAddsUp(shopDatabase);
        assertThat(serviceOnlyReservations()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> admin(system.inventory).get("/actuator/messaging").json()
                .path("deadLetters").path("inventory-service").asLong() == 1);
        await().atMost(Duration.ofMinutes(1)).until(() -> reconciliation().path("mismatches").asLong(-1) == 0);
        report.append(("shadow under faults: %d orders in all, all decided; reconciliation clean; the poison message "
                + "in the service's dead letters%n").formatted(orderCount()));
    }

    @Test
    @Order(3)
    void theCutOverUnderTrafficLeavesEveryOrderReservedByExactlyOneSide() throws Exception {
        long before = orderCount();
        try (OrderStream orders = new OrderStream(system.shop, customers, 3)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= 30);
            unleash.rollOut(CAPABILITY + ".extracted", extractedStrategy, 100);
            await().atMost(Duration.ofMinutes(1)).until(() -> "WRITES_MOVED".equals(
                    admin(system.inventory).get("/actuator/replication").json().path("phase").asString()));
            int atHandover = orders.size();
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= atHandover + 30);
        }
        awaitEveryOrderDecided();

        Map<String, Long> routes = routesSince(before);
        report.append("cut-over under traffic: %d orders, by route %s%n".formatted(orderCount() - before, routes));
        assertThat(routes).as("the flags turned in the middle of the stream").containsKeys("SHADOW", "EXTRACTED");
        assertEveryOrderReservedOnceAndTheStockAddsUp(serviceDatabase);
        assertThat(shopDatabase.sql("select count(*) from inventory.reservations r join messaging.event_routes e "
                + "on e.event_key = r.reference::text where e.route = 'EXTRACTED'").query(Long.class).single())
                .as("the module reserved nothing routed to the service").isZero();

        // The stock lives in the service now: the shop reads and restocks it there.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(system.shop.get(STOCK + "SKU-0001").json())
                .isEqualTo(system.inventory.get(STOCK + "SKU-0001").json()));
        long onHand = system.inventory.get(STOCK + "SKU-0001").json().path("onHand").asLong();
        assertThat(Login.catalogAdmin(system.shop).on(system.shop).post(STOCK + "SKU-0001/restock",
                "{\"quantity\": 7}").status()).isEqualTo(200);
        assertThat(system.inventory.get(STOCK + "SKU-0001").json().path("onHand").asLong()).isEqualTo(onHand + 7);
    }

    @Test
    @Order(4)
    void theServiceOwningTheStockSurvivesItsKillABrokerRestartAndTheShopKilledWhileItsRelayPublishes()
            throws Exception {
        try (OrderStream orders = new OrderStream(system.shop, customers, 3)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= 30);
            assertThat(system.killInventoryService()).isEqualTo(137);
            int atKill = orders.size();
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= atKill + 30);
            system.startInventoryService();

            restartBroker();
            int atRestart = orders.size();
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= atRestart + 30);

            // Orders keep coming, so the relay has batches on their way to the broker when it dies.
            assertThat(system.killShop()).isEqualTo(137);
            startShop();
            int atShopRestart = orders.size();
            await().atMost(Duration.ofMinutes(1)).until(() -> orders.size() >= atShopRestart + 30);
        }
        awaitEveryOrderDecided();

        assertEveryOrderReservedOnceAndTheStockAddsUp(serviceDatabase);
        assertThat(serviceDatabase.sql("select count(*) from inventory.stock where reserved > on_hand or reserved < 0")
                .query(Long.class).single()).as("no stock reserved beyond what is on hand").isZero();
        report.append(("after the service's kill -9, a broker restart and the shop's kill -9: %d orders in all, every "
                + "one decided once%n").formatted(orderCount()));
    }

    /**
     * Every order is decided; each by the side its route names and only by it (a module reservation
     * is in the shop's table, a service one only in the service's); its status matches the
     * decision; and the units reserved per SKU where the stock lives now are exactly those of the
     * confirmed orders.
     */
    private static void assertEveryOrderReservedOnceAndTheStockAddsUp(JdbcClient stockOwner) {
        Map<String, String> statusById = shopDatabase.sql("select id::text, status from orders.orders")
                .query((row, n) -> Map.entry(row.getString(1), row.getString(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Map<String, String> routeById = shopDatabase.sql("select event_key, route from messaging.event_routes "
                + "where capability = ?").param(CAPABILITY)
                .query((row, n) -> Map.entry(row.getString(1), row.getString(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Map<String, String> moduleDecisions = decisions(shopDatabase);
        Map<String, String> serviceDecisions = decisions(serviceDatabase);
        for (var order : statusById.entrySet()) {
            String id = order.getKey();
            String route = routeById.getOrDefault(id, "MONOLITH");
            String decision = "EXTRACTED".equals(route) ? serviceDecisions.get(id) : moduleDecisions.get(id);
            assertThat(decision).as("order %s, routed %s, is decided by that side", id, route).isNotNull();
            if ("EXTRACTED".equals(route)) {
                assertThat(moduleDecisions).as("order %s was routed to the service", id).doesNotContainKey(id);
            }
            assertThat(order.getValue()).as("order %s", id).isEqualTo("RESERVED".equals(decision) ? "CONFIRMED" : "REJECTED");
        }
        Map<String, Long> confirmedUnits = shopDatabase.sql("""
                select l.sku, sum(l.quantity) from orders.orders o join orders.order_lines l on l.order_id = o.id
                where o.status = 'CONFIRMED' group by l.sku""")
                .query((row, n) -> Map.entry(row.getString(1), row.getLong(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Map<String, Long> reserved = stockOwner.sql("select sku, reserved from inventory.stock where reserved > 0")
                .query((row, n) -> Map.entry(row.getString(1), row.getLong(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(reserved).as("units reserved per SKU are those of the confirmed orders").isEqualTo(confirmedUnits);
    }

    private static Map<String, String> decisions(JdbcClient database) {
        return database.sql("select reference::text, outcome from inventory.reservations")
                .query((row, n) -> Map.entry(row.getString(1), row.getString(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static void awaitEveryOrderDecided() {
        await().atMost(DECIDED).pollInterval(Duration.ofMillis(500)).until(() -> shopDatabase.sql(
                "select count(*) from orders.orders where status = 'PENDING'").query(Long.class).single() == 0);
    }

    private static long orderCount() {
        return shopDatabase.sql("select count(*) from orders.orders").query(Long.class).single();
    }

    private static Map<String, Long> routesSince(long skipped) {
        return shopDatabase.sql("""
                select e.route, count(*) from messaging.event_routes e
                where e.event_key in (select id::text from orders.orders order by placed_at offset ?)
                group by e.route""").param(skipped)
                .query((row, n) -> Map.entry(row.getString(1), row.getLong(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Reservations in the service's table that are not the shop's (replicated): the service's own. */
    private static long serviceOnlyReservations() {
        Set<String> shops = decisions(shopDatabase).keySet();
        return decisions(serviceDatabase).keySet().stream().filter(reference -> !shops.contains(reference)).count();
    }

    private static void awaitRoute(String route) {
        await().atMost(Duration.ofSeconds(30)).until(() -> route.equals(admin(system.shop).get("/actuator/messaging")
                .json().path("routes").path(CAPABILITY).path("route").asString()));
    }

    private static JsonNode comparisons() {
        return admin(system.shop).get("/actuator/routing").json().path(CAPABILITY);
    }

    private static JsonNode reconciliation() {
        JsonNode report = admin(system.inventory).post("/actuator/replication/reconciliations", "{}").json();
        long mismatches = 0;
        for (JsonNode table : report.path("tables")) {
            mismatches += table.path("missing").asLong() + table.path("unexpected").asLong()
                    + table.path("different").asLong();
        }
        return ((tools.jackson.databind.node.ObjectNode) report).put("mismatches", mismatches);
    }

    /** {@code rabbitmqctl stop_app}, then {@code start_app}: the broker goes away and comes back, queues and all. */
    private static void restartBroker() throws Exception {
        for (String step : List.of("stop_app", "start_app")) {
            Process process = new ProcessBuilder("rabbitmqctl", step).redirectErrorStream(true)
                    .redirectOutput(work.resolve("rabbitmqctl-" + step + ".log").toFile()).start();
            assertThat(process.waitFor()).as("rabbitmqctl " + step).isZero();
        }
        report.append("RabbitMQ restarted (rabbitmqctl stop_app, start_app)%n".formatted());
    }

    /** The newest order the shop's outbox relayed, as its row. */
    private static Map<String, Object> lastRelayedOrder() {
        return shopDatabase.sql("select id::text, partition_key, payload::text, headers::text from messaging.outbox "
                        + "where type = 'OrderPlaced' order by created_at desc limit 1")
                .query((row, n) -> Map.<String, Object>of("id", row.getString(1), "key", row.getString(2),
                        "payload", row.getString(3), "headers", row.getString(4)))
                .single();
    }

    /** What a relay that crashed before saving its position does: the same message once more. */
    private static void publishAgain(Map<String, Object> order) throws Exception {
        String key = (String) order.get("key");
        JsonNode headers = tools.jackson.databind.json.JsonMapper.builder().build().readTree((String) order.get("headers"));
        publish("OrderPlaced." + Math.floorMod(key.hashCode(), 4), new AMQP.BasicProperties.Builder()
                .messageId((String) order.get("id")).type("OrderPlaced").contentType("application/json")
                .headers(Map.of("ficus-key", key, "ficus-version", 1, "ficus-route", headers.path("ficus-route").asString()))
                .build(), (String) order.get("payload"));
    }

    /** A message no consumer can read: not JSON, no key. */
    private static void publishPoison() throws Exception {
        publish("OrderPlaced.0", new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString())
                .type("OrderPlaced").headers(Map.of("ficus-version", 1)).build(), "{\"orderId\": ");
    }

    private static void publish(String routingKey, AMQP.BasicProperties properties, String body) throws Exception {
        ConnectionFactory broker = new ConnectionFactory();
        broker.setHost("127.0.0.1");
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish(system.exchange, routingKey, properties, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
        }
    }
}
