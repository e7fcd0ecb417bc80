package dev.ficus.inventoryservice;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.UseMainMethod;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.ficus.contracts.identity.TestIssuer;
import dev.ficus.contracts.inventory.InventoryEvents;
import dev.ficus.contracts.inventory.StockAccessContract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service on its own database (owning its stock), consuming orders from the machine's RabbitMQ
 * on an exchange of its own, as the shop's relay would publish them, and answering there.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, useMainMethod = UseMainMethod.ALWAYS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InventoryServiceTests {

    private static final String EXCHANGE = "inventory-service-tests-" + UUID.randomUUID().toString().substring(0, 8);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Stands in for the shop as the issuer: the service fetches its keys as it fetches the shop's. */
    private static final TestIssuer ISSUER = TestIssuer.generated("ficus-shop", "ficus-api");

    @DynamicPropertySource
    static void exchange(DynamicPropertyRegistry registry) {
        registry.add("ficus.messaging.exchange", () -> EXCHANGE);
        registry.add("ficus.identity.jwk-set-uri", () -> ISSUER.serveJwks().toString());
    }

    /** The service keeps the stock API's access rules, exactly like the shop's inventory module. */
    @Nested
    class WhoMayUseTheStockApi extends StockAccessContract {

        @Override
        protected URI baseUrl() {
            return uri("");
        }

        @Override
        protected TestIssuer issuer() {
            return ISSUER;
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    ConnectionFactory connections;

    @Autowired
    JdbcClient jdbc;

    RabbitTemplate rabbit;
    Queue answers;

    /** A queue of the test's own that hears every answer the service publishes. */
    @BeforeAll
    void listenToAnswers() {
        rabbit = new RabbitTemplate(connections);
        RabbitAdmin admin = new RabbitAdmin(connections);
        answers = new Queue(EXCHANGE + ".answers", false, false, false, java.util.Map.of("x-expires", 600_000));
        admin.declareQueue(answers);
        TopicExchange exchange = new TopicExchange(EXCHANGE, true, false);
        for (String type : new String[] {"StockReserved", "StockShortage", "ReservationShadowed"}) {
            admin.declareBinding(BindingBuilder.bind(answers).to(exchange).with(type + ".*"));
        }
    }

    @Test
    void anOrderRoutedHereIsReservedOnceAndAnswered() throws Exception {
        String lamp = restocked(5);
        UUID order = UUID.randomUUID();
        Message placed = orderPlaced(order, "EXTRACTED", "{\"sku\":\"" + lamp + "\",\"quantity\":2}");

        publish(placed);
        publish(placed);

        Message answer = answerFor(order);
        assertThat(answer.getMessageProperties().getType()).isEqualTo("StockReserved");
        assertThat(InventoryEvents.violations("StockReserved", 1, body(answer))).isEmpty();
        assertThat(JSON.readTree(body(answer)).get("reference").asString()).isEqualTo(order.toString());
        assertThat(stock(lamp).get("reserved").asInt()).as("the repeated message reserved nothing more").isEqualTo(2);
        assertThat(rabbit.receive(answers.getName(), 1000)).as("one answer, not two").isNull();
        assertThat(jdbc.sql("select count(*) from messaging.outbox where partition_key = ?").param(order.toString())
                .query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void anOrderThatDoesNotFitReservesNothingAndNamesTheMissingSkus() throws Exception {
        String lamp = restocked(5);
        String kettle = restocked(1);
        UUID order = UUID.randomUUID();

        publish(orderPlaced(order, "EXTRACTED", "{\"sku\":\"" + lamp + "\",\"quantity\":2}",
                "{\"sku\":\"" + kettle + "\",\"quantity\":2}"));

        Message answer = answerFor(order);
        assertThat(answer.getMessageProperties().getType()).isEqualTo("StockShortage");
        assertThat(InventoryEvents.violations("StockShortage", 1, body(answer))).isEmpty();
        assertThat(JSON.readTree(body(answer)).get("missingSkus").get(0).asString()).isEqualTo(kettle);
        assertThat(stock(lamp).get("reserved").asInt()).isZero();
    }

    @Test
    void aShadowedOrderIsDecidedButNothingIsReserved() throws Exception {
        String lamp = restocked(3);
        UUID order = UUID.randomUUID();

        publish(orderPlaced(order, "SHADOW", "{\"sku\":\"" + lamp + "\",\"quantity\":3}"));

        Message answer = answerFor(order);
        assertThat(answer.getMessageProperties().getType()).isEqualTo("ReservationShadowed");
        assertThat(InventoryEvents.violations("ReservationShadowed", 1, body(answer))).isEmpty();
        assertThat(JSON.readTree(body(answer)).get("reserved").asBoolean()).isTrue();
        assertThat(stock(lamp).get("reserved").asInt()).isZero();
        assertThat(jdbc.sql("select count(*) from inventory.reservations where reference = ?").param(order)
                .query(Long.class).single()).isZero();
    }

    @Test
    void aMessageThatCannotBeReadIsDeadLetteredAndTheNextOrderStillServed() throws Exception {
        String lamp = restocked(2);
        publish(message(UUID.randomUUID(), "OrderPlaced", UUID.randomUUID().toString(), "EXTRACTED", "{\"orderId\": 42"));
        UUID order = UUID.randomUUID();
        publish(orderPlaced(order, "EXTRACTED", "{\"sku\":\"" + lamp + "\",\"quantity\":1}"));

        assertThat(answerFor(order).getMessageProperties().getType()).isEqualTo("StockReserved");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(operations("/actuator/messaging"))
                .contains("\"inventory-service\":1"));
    }

    @Test
    void theContractsOrderPlacedReadsAsTheServiceConsumesIt() {
        String example = InventoryEvents.example("OrderPlaced", 1);
        Object read = JSON.readValue(example, orderPlacedType());
        assertThat(JSON.readTree(JSON.writeValueAsString(read))).isEqualTo(JSON.readTree(example));
    }

    @Test
    void restockingGoesThroughTheSameApiAsTheShops() throws Exception {
        String sku = "T-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        assertThat(stock(sku).get("onHand").asInt()).isZero();
        HttpResponse<String> refused = post("/api/inventory/stock/" + sku + "/restock", "{\"quantity\": 0}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(post("/api/inventory/stock/" + sku + "/restock", "{\"quantity\": 4}").statusCode()).isEqualTo(200);
        assertThat(stock(sku).get("available").asInt()).isEqualTo(4);
    }

    private static Class<?> orderPlacedType() {
        try {
            return Class.forName("dev.ficus.inventoryservice.stock.Events$OrderPlaced");
        }
        catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private String restocked(int quantity) throws Exception {
        String sku = "T-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        assertThat(post("/api/inventory/stock/" + sku + "/restock", "{\"quantity\": " + quantity + "}").statusCode())
                .isEqualTo(200);
        return sku;
    }

    private Message orderPlaced(UUID order, String route, String... items) {
        String body = "{\"orderId\":\"" + order + "\",\"customerId\":\"" + UUID.randomUUID() + "\",\"items\":["
                + String.join(",", items) + "]}";
        assertThat(InventoryEvents.violations("OrderPlaced", 1, body)).isEmpty();
        return message(UUID.randomUUID(), "OrderPlaced", order.toString(), route, body);
    }

    private static Message message(UUID id, String type, String key, String route, String body) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(id.toString());
        properties.setType(type);
        properties.setHeader("ficus-key", key);
        properties.setHeader("ficus-version", 1);
        properties.setHeader("ficus-route", route);
        return new Message(body.getBytes(StandardCharsets.UTF_8), properties);
    }

    /** Where the shop's relay would send it: the partition of its key, 4 partitions. */
    private void publish(Message message) {
        String key = (String) message.getMessageProperties().getHeaders().get("ficus-key");
        rabbit.send(EXCHANGE, message.getMessageProperties().getType() + "." + Math.floorMod(key.hashCode(), 4), message);
    }

    /** The next answer about this order; answers about others (of earlier tests) are passed over. */
    private Message answerFor(UUID order) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Message answer = rabbit.receive(answers.getName(), 1000);
            if (answer != null && order.toString().equals(answer.getMessageProperties().getHeaders().get("ficus-key"))) {
                return answer;
            }
        }
        throw new AssertionError("No answer about order " + order + " within 20 s");
    }

    private static String body(Message message) {
        return new String(message.getBody(), StandardCharsets.UTF_8);
    }

    private JsonNode stock(String sku) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/api/inventory/stock/" + sku)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + ISSUER.token("test-admin", Set.of("catalog-admin")))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String operations(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Basic "
                        + Base64.getEncoder().encodeToString("ops:test-secret".getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
