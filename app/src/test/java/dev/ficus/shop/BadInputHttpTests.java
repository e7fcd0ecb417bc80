package dev.ficus.shop;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.customers.Customer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input gets a 4xx problem detail (RFC 9457) naming what is wrong; never a 500, and
 * nothing is written.
 */
@ShopHttpTest
class BadInputHttpTests {

    @Autowired
    RestTestClient http;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ShopTokens tokens;

    @LocalServerPort
    int port;

    /** Bad input is what these tests are about: they call as someone allowed to do anything, as a customer that does not exist. */
    @BeforeEach
    void allowedEverything() {
        http = http.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, tokens.anything(UUID.randomUUID())).build();
    }

    @Test
    void failedValidationNamesEveryOffendingField() {
        post("/api/catalog/products", """
                {"sku": "no spaces", "name": "", "category": "Lighting",
                 "price": {"amount": -1, "currency": "XYZ"}}""")
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:problem-type:invalid-input")
                .jsonPath("$.errors[*].field").isEqualTo(List.of("category", "name", "price.amount", "price.currency", "sku"));
    }

    @Test
    void malformedJsonIsABadRequest() {
        post("/api/customers", "{\"email\": \"a@b.org\", ")
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:malformed-body");
    }

    @Test
    void aWronglyTypedValueNamesItsPath() {
        post("/api/orders", """
                {"customerId": "%s", "lines": [{"sku": "SKU-1", "quantity": "two"}]}""".formatted(UUID.randomUUID()))
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.errors[0].field").isEqualTo("lines[0].quantity")
                .jsonPath("$.errors[0].message").isEqualTo("must be a number");
    }

    @Test
    void aMalformedIdInThePathIsABadRequestNamingTheParameter() {
        http.get().uri("/api/orders/not-a-uuid").exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("id");
    }

    @Test
    void anOutOfRangeQueryParameterIsABadRequest() {
        http.get().uri("/api/catalog/products?size=5000").exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("size");
    }

    @Test
    void unknownIdsAndPathsAreNotFound() {
        for (String path : List.of("/api/catalog/products/" + UUID.randomUUID(), "/api/catalog/products/sku/NOPE-1",
                "/api/customers/" + UUID.randomUUID(), "/api/orders/" + UUID.randomUUID(), "/api/no-such-thing")) {
            http.get().uri(path).exchange()
                    .expectStatus().isNotFound()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
    }

    @Test
    void aDuplicateSkuIsAConflictAndLeavesTheFirstProductAsItWas() {
        String sku = "DUP-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        String body = """
                {"sku": "%s", "name": "%s", "category": "tools", "price": {"amount": %s, "currency": "EUR"}}""";
        Product first = post("/api/catalog/products", body.formatted(sku, "First", "1.00"))
                .expectStatus().isCreated().expectBody(Product.class).returnResult().getResponseBody();

        post("/api/catalog/products", body.formatted(sku, "Second", "2.00"))
                .expectStatus().isEqualTo(409)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:duplicate-sku");

        http.get().uri("/api/catalog/products/sku/{sku}", sku).exchange()
                .expectBody(Product.class).isEqualTo(first);
    }

    @Test
    void orderingForAnUnknownCustomerOrAWithdrawnProductIsUnprocessableAndWritesNothing() {
        Customer customer = post("/api/customers", """
                {"email": "%s@example.org", "name": "Buyer"}""".formatted(UUID.randomUUID()))
                .expectStatus().isCreated().expectBody(Customer.class).returnResult().getResponseBody();
        String sku = "OLD-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        Product product = post("/api/catalog/products", """
                {"sku": "%s", "name": "Old", "category": "tools", "price": {"amount": 1, "currency": "EUR"}}""".formatted(sku))
                .expectStatus().isCreated().expectBody(Product.class).returnResult().getResponseBody();
        http.post().uri("/api/catalog/products/{id}/deactivate", product.id()).exchange().expectStatus().isOk();
        long ordersBefore = storedOrders();

        UUID unknown = UUID.randomUUID();
        http.post().uri("/api/orders").contentType(MediaType.APPLICATION_JSON).body(order(unknown, sku))
                .header(HttpHeaders.AUTHORIZATION, tokens.customer(unknown)).exchange()
                .expectStatus().isEqualTo(422)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:unknown-customer");
        http.post().uri("/api/orders").contentType(MediaType.APPLICATION_JSON).body(order(customer.id(), sku))
                .header(HttpHeaders.AUTHORIZATION, tokens.customer(customer.id())).exchange()
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:product-inactive");

        assertThat(storedOrders()).isEqualTo(ordersBefore);
    }

    @Test
    void anOversizedBodyIsRefusedWhetherItsLengthIsDeclaredOrNot() throws Exception {
        String huge = "{\"name\": \"" + "x".repeat(100_000) + "\"}";

        post("/api/customers", huge)
                .expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);

        // Without Content-Length (chunked), the limit is enforced while reading.
        HttpResponse<String> chunked = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
                        .uri(URI.create("http://127.0.0.1:" + port + "/api/customers"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge.getBytes())))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    /** Garbage sent to every endpoint that takes a body: always a 4xx problem detail, never a 500. */
    @ParameterizedTest
    @MethodSource("garbage")
    void garbageIsAlwaysAClientError(HttpMethod method, String path, String body) {
        http.method(method).uri(path).contentType(MediaType.APPLICATION_JSON).body(body).exchange()
                .expectStatus().is4xxClientError()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    static Stream<Arguments> garbage() {
        UUID id = UUID.randomUUID();
        List<Map.Entry<HttpMethod, String>> endpoints = List.of(
                Map.entry(HttpMethod.POST, "/api/catalog/products"),
                Map.entry(HttpMethod.PUT, "/api/catalog/products/" + id),
                Map.entry(HttpMethod.PUT, "/api/catalog/products/" + id + "/price"),
                Map.entry(HttpMethod.POST, "/api/customers"),
                Map.entry(HttpMethod.PUT, "/api/customers/" + id),
                Map.entry(HttpMethod.POST, "/api/inventory/stock/SKU-1/restock"),
                Map.entry(HttpMethod.POST, "/api/orders"));
        List<String> bodies = List.of("", "{", "[]", "\"text\"", "null", "42", "{\"price\": []}",
                "{\"lines\": {}}", "{\"quantity\": 1e400}", "{\"customerId\": 7, \"lines\": [null]}",
                "{\"amount\": \"1\", \"currency\": 1}", "{\"email\": [\"a\"]}");
        return endpoints.stream().flatMap(endpoint -> bodies.stream()
                .map(body -> Arguments.of(endpoint.getKey(), endpoint.getValue(), body)));
    }

    private RestTestClient.ResponseSpec post(String path, String json) {
        return http.post().uri(path).contentType(MediaType.APPLICATION_JSON).body(json).exchange();
    }

    private static String order(UUID customerId, String sku) {
        return """
                {"customerId": "%s", "lines": [{"sku": "%s", "quantity": 1}]}""".formatted(customerId, sku);
    }

    private long storedOrders() {
        return jdbc.sql("select count(*) from orders.orders").query(Long.class).single();
    }
}
