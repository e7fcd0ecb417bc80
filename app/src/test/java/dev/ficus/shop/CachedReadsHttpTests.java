package dev.ficus.shop;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.customers.Customer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Product and customer reads are cached, and the caches stay correct: a change made in SQL,
 * bypassing the application, is served by the next read once it has streamed.
 */
@ShopHttpTest
class CachedReadsHttpTests {

    @Autowired
    RestTestClient http;

    @Autowired
    ShopTokens tokens;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aProductChangedInSqlIsServedFreshWithoutARestartOrTtlWait() {
        Product product = createProduct();
        readName(product.id());
        readName(product.id());

        jdbc.sql("update catalog.products set name = 'Renamed in SQL' where id = ?").param(product.id()).update();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> readName(product.id()), "Renamed in SQL"::equals);
        http.get().uri("/api/catalog/products/sku/{sku}", product.sku()).exchange()
                .expectBody().jsonPath("$.name").isEqualTo("Renamed in SQL");
    }

    @Test
    void aCustomerChangedInSqlIsServedFresh() {
        Customer customer = http.post().uri("/api/customers").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("email", UUID.randomUUID() + "@example.org", "name", "Before"))
                .exchange().expectStatus().isCreated()
                .expectBody(Customer.class).returnResult().getResponseBody();
        http.get().uri("/api/customers/{id}", customer.id()).header(HttpHeaders.AUTHORIZATION, tokens.customer(customer.id()))
                .exchange().expectStatus().isOk();

        jdbc.sql("update customers.customers set name = 'After' where id = ?").param(customer.id()).update();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(
                () -> http.get().uri("/api/customers/{id}", customer.id())
                        .header(HttpHeaders.AUTHORIZATION, tokens.customer(customer.id())).exchange()
                        .expectBody(Customer.class).returnResult().getResponseBody().name(),
                "After"::equals);
    }

    @Test
    void theApplicationsOwnWritesAreReadBackAtOnce() {
        Product product = createProduct();
        readName(product.id());

        http.put().uri("/api/catalog/products/{id}", product.id()).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())
                .body(Map.of("name", "Renamed through the API", "category", "lighting")).exchange()
                .expectStatus().isOk();

        assertThat(readName(product.id())).isEqualTo("Renamed through the API");
    }

    @Test
    void productReadsCarryAnETagAndAnswerAConditionalGetWith304() {
        Product product = createProduct();
        var first = http.get().uri("/api/catalog/products/{id}", product.id()).exchange()
                .expectStatus().isOk()
                .expectHeader().cacheControl(org.springframework.http.CacheControl
                        .maxAge(Duration.ofSeconds(30)).cachePublic())
                .expectBody(Product.class).returnResult();
        String etag = first.getResponseHeaders().getETag();
        assertThat(etag).isNotBlank();

        http.get().uri("/api/catalog/products/{id}", product.id()).ifNoneMatch(etag).exchange()
                .expectStatus().isNotModified()
                .expectBody().isEmpty();

        jdbc.sql("update catalog.products set description = 'changed' where id = ?").param(product.id()).update();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(
                () -> http.get().uri("/api/catalog/products/{id}", product.id()).ifNoneMatch(etag).exchange()
                        .returnResult(byte[].class).getStatus().value() == 200);
    }

    @Test
    void readinessWaitsForTheChangeStreamAndWarmCaches() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                http.get().uri("/actuator/health/readiness").headers(h -> h.setBasicAuth("ops", "test-secret"))
                        .exchange()
                        .expectStatus().isOk()
                        .expectBody()
                        .jsonPath("$.components.changeStream.status").isEqualTo("UP")
                        .jsonPath("$.components.changeStream.details.state").isEqualTo("STREAMING")
                        .jsonPath("$.components.caches.details.products.warm").isEqualTo(true));
    }

    private Product createProduct() {
        String sku = "CACHE-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        return http.post().uri("/api/catalog/products").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())
                .body(Map.of("sku", sku, "name", "Cached " + sku, "category", "lighting",
                        "price", Map.of("amount", 5, "currency", "EUR")))
                .exchange().expectStatus().isCreated()
                .expectBody(Product.class).returnResult().getResponseBody();
    }

    private String readName(UUID id) {
        return http.get().uri("/api/catalog/products/{id}", id).exchange()
                .expectStatus().isOk()
                .expectBody(Product.class).returnResult().getResponseBody().name();
    }
}
