package dev.ficus.shop;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.ficus.shop.catalog.Product;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * In the shadows, the module answers and the same read goes to catalog-service off the request
 * path, on a thread of its own: it carries the caller's token all the same, and an anonymous
 * caller's shadow call carries none.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
@Import(ShopTokens.class)
class ShadowIdentityHttpTests {

    static final StandInService service = new StandInService("/api/catalog/products/", path -> new StandInService.Answer(
            404, """
                    {"type": "urn:problem-type:product-not-found", "title": "Not Found", "status": 404,
                     "detail": "Not here"}"""));
    static final List<Map<String, List<String>>> received = service.received;

    @DynamicPropertySource
    static void shadowReadsOnTheService(DynamicPropertyRegistry properties) {
        properties.add("ficus.catalog-service.url", service::url);
        properties.add("ficus.routing.flags.bootstrap", () -> "classpath:routing/reads-shadowed.json");
    }

    @AfterAll
    static void stop() {
        service.stop();
    }

    @Autowired
    RestTestClient http;

    @Autowired
    ShopTokens tokens;

    @Test
    void aShadowCallCarriesTheCallersTokenAndAnAnonymousOneNone() {
        String sku = "SHADOW-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        http.post().uri("/api/catalog/products").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())
                .body(Map.of("sku", sku, "name", "Shadowed", "category", "tools",
                        "price", Map.of("amount", 3, "currency", "EUR")))
                .exchange().expectStatus().isCreated();
        // Writes are never shadowed: the service has heard nothing yet.
        assertThat(received).isEmpty();
        String customer = tokens.customer(UUID.randomUUID());

        http.get().uri("/api/catalog/products/sku/{sku}", sku).header(HttpHeaders.AUTHORIZATION, customer).exchange()
                .expectStatus().isOk().expectBody(Product.class).value(product ->
                        assertThat(product.name()).isEqualTo("Shadowed"));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        http.get().uri("/api/catalog/products/sku/{sku}", sku).exchange().expectStatus().isOk();
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);

        assertThat(received.get(0).get("Authorization")).containsExactly(customer);
        assertThat(received.get(1)).doesNotContainKey("Authorization");
    }
}
