package dev.ficus.shop;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.ficus.shop.catalog.Catalog;
import dev.ficus.toolkit.identity.IdentityProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With catalog reads cut over to catalog-service, the shop's client of the service: its requests
 * carry the caller's trace and identity (the caller's own token, relayed; none for an anonymous
 * caller; the shop's own outside any request), and the service's answers, refusals included, reach
 * the shop's own callers exactly as the module's would. The service here is a plain HTTP server that records what
 * it receives and answers as catalog-service does.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
@Import(ShopTokens.class)
class CatalogServiceClientHttpTests {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PRODUCT = """
            {"id": "11111111-2222-3333-4444-555555555555", "sku": "SVC-1", "name": "From the service",
             "description": null, "price": {"amount": 12.50, "currency": "EUR"}, "category": "service",
             "active": true, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
             "version": 3}""";
    private static final String NOT_FOUND = """
            {"type": "urn:problem-type:product-not-found", "title": "Not Found", "status": 404,
             "detail": "No product SVC-404"}""";

    static final StandInService service = new StandInService("/api/catalog/products/sku/", path ->
            path.endsWith("/SVC-1") ? new StandInService.Answer(200, PRODUCT) : new StandInService.Answer(404, NOT_FOUND));
    static final List<Map<String, List<String>>> received = service.received;

    @DynamicPropertySource
    static void routeReadsToTheService(DynamicPropertyRegistry properties) {
        properties.add("ficus.catalog-service.url", service::url);
        properties.add("ficus.routing.flags.bootstrap", () -> "classpath:routing/reads-extracted.json");
    }

    @AfterAll
    static void stop() {
        service.stop();
    }

    @Autowired
    RestTestClient http;

    @Autowired
    ShopTokens tokens;

    @Autowired
    Catalog catalog;

    @Autowired
    IdentityProperties identity;

    @Test
    void theCallersOwnTokenIsRelayedToTheService() {
        String customer = tokens.customer(UUID.randomUUID());
        int before = received.size();

        http.get().uri("/api/catalog/products/sku/SVC-1").header(HttpHeaders.AUTHORIZATION, customer).exchange()
                .expectStatus().isOk();

        assertThat(received).hasSize(before + 1);
        assertThat(received.getLast().get("Authorization")).containsExactly(customer);
    }

    @Test
    void anAnonymousCallerIsAnonymousAtTheServiceToo() {
        int before = received.size();

        http.get().uri("/api/catalog/products/sku/SVC-1").exchange().expectStatus().isOk();

        assertThat(received).hasSize(before + 1);
        assertThat(received.getLast()).doesNotContainKey("Authorization");
    }

    @Test
    void anOperatorsTokenStaysInTheShop() {
        String operator = "Bearer " + tokens.issuer().token("an-operator", java.util.Set.of("operator"));
        int before = received.size();

        http.get().uri("/api/catalog/products/sku/SVC-1").header(HttpHeaders.AUTHORIZATION, operator).exchange()
                .expectStatus().isOk();

        assertThat(received).hasSize(before + 1);
        assertThat(received.getLast()).doesNotContainKey("Authorization");
    }

    @Test
    void aCallOutsideAnyRequestCarriesTheShopsOwnIdentity() {
        int before = received.size();

        assertThat(catalog.findBySku("SVC-1")).hasValueSatisfying(product ->
                assertThat(product.name()).isEqualTo("From the service"));

        assertThat(received).hasSize(before + 1);
        String relayed = received.getLast().get("Authorization").getFirst();
        assertThat(relayed).startsWith("Bearer ");
        Map<String, Object> claims = JsonMapper.builder().build().readValue(Base64.getUrlDecoder()
                .decode(relayed.substring("Bearer ".length()).split("\\.")[1]), Map.class);
        assertThat(claims).containsEntry("sub", "ficus-shop").containsEntry("iss", identity.issuer())
                .containsEntry("roles", List.of("catalog-admin"));
    }

    @Test
    void theServiceAnswersAndItsRequestCarriesTheCallersTrace() {
        http.get().uri("/api/catalog/products/sku/SVC-1")
                .header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.name").isEqualTo("From the service")
                .jsonPath("$.price.amount").isEqualTo(12.5);

        Map<String, List<String>> headers = received.getLast();
        assertThat(headers.get("Traceparent")).singleElement().asString()
                .startsWith("00-" + TRACE_ID + "-")
                .doesNotContain("00f067aa0ba902b7");
    }

    @Test
    void theServicesNotFoundIsTheShopsNotFound() {
        http.get().uri("/api/catalog/products/sku/SVC-404").exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:product-not-found");
        assertThat(received).isNotEmpty();
    }
}
