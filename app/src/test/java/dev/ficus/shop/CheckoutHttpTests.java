package dev.ficus.shop;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.customers.Customer;
import dev.ficus.shop.inventory.StockLevel;
import dev.ficus.shop.orders.Order;
import dev.ficus.shop.orders.OrderStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A customer's way through the shop, end to end over HTTP: the README's tour. */
@ShopHttpTest
class CheckoutHttpTests {

    @Autowired
    RestTestClient http;

    @Autowired
    ShopTokens tokens;

    @Test
    void anOrderWithStockIsConfirmedAndReservesIt() {
        Customer customer = registerCustomer();
        Product lamp = createProduct("24.90", 5);

        Order placed = placeOrder(customer.id(), lamp.sku(), 2);

        assertThat(placed.status()).isEqualTo(OrderStatus.PENDING);
        assertThat(placed.total()).isEqualByComparingTo("49.80");
        assertThat(awaitDecision(placed).status()).isEqualTo(OrderStatus.CONFIRMED);
        http.get().uri("/api/inventory/stock/{sku}", lamp.sku()).exchange()
                .expectStatus().isOk()
                .expectBody(StockLevel.class).isEqualTo(new StockLevel(lamp.sku(), 5, 2, 3));
    }

    @Test
    void anOrderWithoutEnoughStockIsRejected() {
        Customer customer = registerCustomer();
        Product lamp = createProduct("24.90", 1);

        Order decided = awaitDecision(placeOrder(customer.id(), lamp.sku(), 2));

        assertThat(decided.status()).isEqualTo(OrderStatus.REJECTED);
        assertThat(decided.statusReason()).isEqualTo("Not enough stock of " + lamp.sku());
    }

    @Test
    void aProductCanBeReadByIdAndSkuAndFoundBySearch() {
        Product lamp = createProduct("24.90", 0);

        http.get().uri("/api/catalog/products/{id}", lamp.id()).exchange()
                .expectStatus().isOk().expectBody(Product.class).isEqualTo(lamp);
        http.get().uri("/api/catalog/products/sku/{sku}", lamp.sku()).exchange()
                .expectStatus().isOk().expectBody(Product.class).isEqualTo(lamp);
        http.get().uri("/api/catalog/products?q={q}&category=lighting", lamp.sku().toLowerCase()).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.totalItems").isEqualTo(1).jsonPath("$.items[0].id").isEqualTo(lamp.id().toString());
    }

    @Test
    void priceChangesApplyToLaterOrdersOnly() {
        Customer customer = registerCustomer();
        Product lamp = createProduct("10.00", 10);
        Order before = placeOrder(customer.id(), lamp.sku(), 1);

        http.put().uri("/api/catalog/products/{id}/price", lamp.id()).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())
                .body(Map.of("amount", 12.5, "currency", "EUR")).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.price.amount").isEqualTo(12.5);
        Order after = placeOrder(customer.id(), lamp.sku(), 1);

        assertThat(before.total()).isEqualByComparingTo("10.00");
        assertThat(after.total()).isEqualByComparingTo("12.50");
    }

    @Test
    void aRetriedOrderWithItsIdempotencyKeyPlacesItOnce() {
        Customer customer = registerCustomer();
        Product lamp = createProduct("24.90", 5);
        String key = UUID.randomUUID().toString();
        var request = Map.of("customerId", customer.id(), "lines", List.of(Map.of("sku", lamp.sku(), "quantity", 2)));
        String buyer = tokens.customer(customer.id());

        Order first = http.post().uri("/api/orders").header("Idempotency-Key", key).header(HttpHeaders.AUTHORIZATION, buyer)
                .contentType(MediaType.APPLICATION_JSON).body(request).exchange()
                .expectStatus().isCreated().expectBody(Order.class).returnResult().getResponseBody();
        Order retried = http.post().uri("/api/orders").header("Idempotency-Key", key).header(HttpHeaders.AUTHORIZATION, buyer)
                .contentType(MediaType.APPLICATION_JSON).body(request).exchange()
                .expectStatus().isCreated()
                .expectHeader().location("/api/orders/" + first.id())
                .expectBody(Order.class).returnResult().getResponseBody();

        assertThat(retried.id()).isEqualTo(first.id());
        assertThat(awaitDecision(first).status()).isEqualTo(OrderStatus.CONFIRMED);
        http.get().uri("/api/inventory/stock/{sku}", lamp.sku()).exchange()
                .expectBody(StockLevel.class).isEqualTo(new StockLevel(lamp.sku(), 5, 2, 3));
        // The same key with another request is refused; a malformed key is a bad request.
        http.post().uri("/api/orders").header("Idempotency-Key", key).header(HttpHeaders.AUTHORIZATION, buyer).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("customerId", customer.id(), "lines", List.of(Map.of("sku", lamp.sku(), "quantity", 1))))
                .exchange()
                .expectStatus().isEqualTo(422)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:idempotency-key-reused");
        http.post().uri("/api/orders").header("Idempotency-Key", "a key with spaces").header(HttpHeaders.AUTHORIZATION, buyer)
                .contentType(MediaType.APPLICATION_JSON).body(request).exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    private Customer registerCustomer() {
        return http.post().uri("/api/customers").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("email", "buyer-" + UUID.randomUUID() + "@example.org", "name", "Buyer"))
                .exchange()
                .expectStatus().isCreated()
                .expectBody(Customer.class).returnResult().getResponseBody();
    }

    private Product createProduct(String price, int stock) {
        String sku = "LAMP-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        var created = http.post().uri("/api/catalog/products").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())
                .body(Map.of("sku", sku, "name", "Lamp " + sku, "category", "lighting",
                        "price", Map.of("amount", price, "currency", "EUR")))
                .exchange()
                .expectStatus().isCreated()
                .expectBody(Product.class).returnResult();
        Product product = created.getResponseBody();
        assertThat(created.getResponseHeaders().getLocation()).hasToString("/api/catalog/products/" + product.id());
        if (stock > 0) {
            http.post().uri("/api/inventory/stock/{sku}/restock", sku).contentType(MediaType.APPLICATION_JSON)
                    .header(HttpHeaders.AUTHORIZATION, tokens.admin())
                    .body(Map.of("quantity", stock)).exchange()
                    .expectStatus().isOk();
        }
        return product;
    }

    private Order placeOrder(UUID customerId, String sku, int quantity) {
        return http.post().uri("/api/orders").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.customer(customerId))
                .body(Map.of("customerId", customerId, "lines", List.of(Map.of("sku", sku, "quantity", quantity))))
                .exchange()
                .expectStatus().isCreated()
                .expectBody(Order.class).returnResult().getResponseBody();
    }

    private Order awaitDecision(Order order) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> http.get().uri("/api/orders/{id}", order.id())
                        .header(HttpHeaders.AUTHORIZATION, tokens.customer(order.customerId())).exchange()
                        .expectStatus().isOk()
                        .expectBody(Order.class).returnResult().getResponseBody(),
                current -> current.status() != OrderStatus.PENDING);
    }
}
