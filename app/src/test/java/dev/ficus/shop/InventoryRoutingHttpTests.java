package dev.ficus.shop;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.ficus.contracts.inventory.InventoryEvents;
import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.customers.Customer;
import dev.ficus.shop.orders.Order;
import dev.ficus.shop.orders.OrderStatus;
import dev.ficus.toolkit.messaging.EventRoutes;
import dev.ficus.toolkit.messaging.MessagingProperties;
import dev.ficus.toolkit.routing.Route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shop with its flags routing reservations to inventory-service, and this test playing the
 * service on the machine's RabbitMQ: orders leave through the outbox, the inventory module leaves
 * them alone, and the service's answers decide them.
 */
@ShopHttpTest
class InventoryRoutingHttpTests {

    @DynamicPropertySource
    static void routeReservationsToTheService(DynamicPropertyRegistry properties) {
        properties.add("ficus.routing.flags.bootstrap", () -> "classpath:routing/inventory-extracted.json");
        properties.add("ficus.messaging.route-interval", () -> "200ms");
        // The route is the database's: a database of its own, so the other tests' shop keeps its route.
        properties.add("ficus.embedded-postgres.database", () -> "inventory_routing");
    }

    @Autowired
    RestTestClient http;

    @Autowired
    ShopTokens tokens;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    EventRoutes routes;

    @Autowired
    ConnectionFactory connections;

    @Autowired
    MessagingProperties messaging;

    @BeforeEach
    void routedToTheService() {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> routes.states().get(InventoryRouting.CAPABILITY).route() == Route.EXTRACTED);
    }

    @Test
    void anOrderRoutedToTheServiceLeavesThroughTheOutboxAndWaitsForItsAnswer() {
        Product lamp = createProduct();
        Order placed = placeOrder(registerCustomer().id(), lamp.sku(), 2);

        String payload = jdbc.sql("select payload::text from messaging.outbox where type = 'OrderPlaced' and partition_key = ?")
                .param(placed.id().toString()).query(String.class).single();
        assertThat(InventoryEvents.violations("OrderPlaced", 1, payload)).isEmpty();
        assertThat(jdbc.sql("select headers->>'ficus-route' from messaging.outbox where partition_key = ?")
                .param(placed.id().toString()).query(String.class).single()).isEqualTo("EXTRACTED");
        assertThat(jdbc.sql("select headers->>'traceparent' from messaging.outbox where partition_key = ?")
                .param(placed.id().toString()).query(String.class).single())
                .as("the trace context of the request that placed the order").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");

        answer("StockReserved", placed.id(), "{\"reference\":\"" + placed.id() + "\"}");

        assertThat(awaitDecision(placed).status()).isEqualTo(OrderStatus.CONFIRMED);
        assertThat(jdbc.sql("select count(*) from inventory.reservations where reference = ?").param(placed.id())
                .query(Long.class).single()).as("the module reserved nothing: the service did").isZero();
        assertThat(routes.routeOf(InventoryRouting.CAPABILITY, placed.id().toString())).isEqualTo(Route.EXTRACTED);
    }

    @Test
    void theServicesShortageRejectsTheOrderAndARepeatedAnswerChangesNothing() {
        Product lamp = createProduct();
        Order placed = placeOrder(registerCustomer().id(), lamp.sku(), 2);
        UUID answerId = UUID.randomUUID();
        String shortage = "{\"reference\":\"" + placed.id() + "\",\"missingSkus\":[\"" + lamp.sku() + "\"]}";

        answer(answerId, "StockShortage", placed.id(), shortage);
        answer(answerId, "StockShortage", placed.id(), shortage);

        Order decided = awaitDecision(placed);
        assertThat(decided.status()).isEqualTo(OrderStatus.REJECTED);
        assertThat(decided.statusReason()).isEqualTo("Not enough stock of " + lamp.sku());
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql(
                "select count(*) from messaging.inbox where consumer = 'shop-inventory-answers' and message_id = ?")
                .param(answerId).query(Long.class).single() == 1);
    }

    @Test
    void onceTheModuleServedEveryOrderRoutedToItTheServiceIsToldToTakeOver() {
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql(
                "select count(*) from messaging.outbox where type = 'RouteHandedOver' and partition_key = ?")
                .param(InventoryRouting.CAPABILITY).query(Long.class).single() == 1);
        assertThat(routes.states().get(InventoryRouting.CAPABILITY).handedOverAt()).isNotNull();

        // The stock is the service's now, and there is none here: no answer from the shop's frozen copy.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> http.get().uri("/api/inventory/stock/SKU-0001")
                .exchange().expectStatus().isEqualTo(503)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.detail").isEqualTo("Stock levels live in inventory-service now, and it does not answer"));
    }

    private void answer(String type, UUID order, String body) {
        answer(UUID.randomUUID(), type, order, body);
    }

    /** As inventory-service's relay publishes it: to the partition of the order's key. */
    private void answer(UUID id, String type, UUID order, String body) {
        assertThat(InventoryEvents.violations(type, 1, body)).isEmpty();
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(id.toString());
        properties.setType(type);
        properties.setHeader("ficus-key", order.toString());
        properties.setHeader("ficus-version", 1);
        new RabbitTemplate(connections).send(messaging.exchange(), type + "." + Math.floorMod(order.toString().hashCode(), 4),
                new Message(body.getBytes(StandardCharsets.UTF_8), properties));
    }

    private Customer registerCustomer() {
        return http.post().uri("/api/customers").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("email", "buyer-" + UUID.randomUUID() + "@example.org", "name", "Buyer"))
                .exchange().expectStatus().isCreated()
                .expectBody(Customer.class).returnResult().getResponseBody();
    }

    /** No stock: the orders here are the service's to reserve, and this test plays the service. */
    private Product createProduct() {
        String sku = "LAMP-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        Product product = http.post().uri("/api/catalog/products").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())
                .body(Map.of("sku", sku, "name", "Lamp " + sku, "category", "lighting",
                        "price", Map.of("amount", "24.90", "currency", "EUR")))
                .exchange().expectStatus().isCreated()
                .expectBody(Product.class).returnResult().getResponseBody();
        return product;
    }

    private Order placeOrder(UUID customerId, String sku, int quantity) {
        return http.post().uri("/api/orders").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.customer(customerId))
                .body(Map.of("customerId", customerId, "lines", List.of(Map.of("sku", sku, "quantity", quantity))))
                .exchange().expectStatus().isCreated()
                .expectBody(Order.class).returnResult().getResponseBody();
    }

    private Order awaitDecision(Order order) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> http.get().uri("/api/orders/{id}", order.id())
                        .header(HttpHeaders.AUTHORIZATION, tokens.customer(order.customerId())).exchange().expectStatus().isOk()
                        .expectBody(Order.class).returnResult().getResponseBody(),
                current -> current.status() != OrderStatus.PENDING);
    }
}
