package dev.ficus.shop;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

/** Probes are open to load balancers; everything else operational needs credentials. */
@ShopHttpTest
class OperationsHttpTests {

    @Autowired
    RestTestClient http;

    @Test
    void healthAndItsProbesAreOpen() {
        for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            http.get().uri(path).exchange()
                    .expectStatus().isOk()
                    .expectBody().jsonPath("$.status").isEqualTo("UP");
        }
        http.get().uri("/actuator/info").exchange().expectStatus().isOk();
    }

    @Test
    void otherOperationsEndpointsNeedCredentials() {
        for (String path : List.of("/actuator/prometheus", "/actuator/metrics", "/actuator/modulith")) {
            http.get().uri(path).exchange().expectStatus().isUnauthorized();
            http.get().uri(path).headers(headers -> headers.setBasicAuth("ops", "wrong")).exchange()
                    .expectStatus().isUnauthorized();
            http.get().uri(path).headers(headers -> headers.setBasicAuth("ops", "test-secret")).exchange()
                    .expectStatus().isOk();
        }
    }

    @Test
    void aChangeOfStateMustBeJsonSoThatAFormOfAnotherSiteCannotMakeIt() {
        // A browser that holds the operator's credentials sends them with a form another site posts.
        http.post().uri("/actuator/deadletters").headers(headers -> headers.setBasicAuth("ops", "test-secret"))
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).body("").exchange()
                .expectStatus().isForbidden();
        http.post().uri("/actuator/deadletters").headers(headers -> headers.setBasicAuth("ops", "test-secret"))
                .exchange().expectStatus().isForbidden();
        http.post().uri("/actuator/deadletters").headers(headers -> headers.setBasicAuth("ops", "test-secret"))
                .contentType(MediaType.APPLICATION_JSON).body("{}").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.replayed").isEqualTo(0);
    }

    @Test
    void theModulithEndpointDescribesTheModules() {
        http.get().uri("/actuator/modulith").headers(headers -> headers.setBasicAuth("ops", "test-secret")).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.orders.dependencies[?(@.target == 'catalog')]").exists()
                .jsonPath("$.orders.dependencies[?(@.target == 'customers')]").exists()
                .jsonPath("$.orders.dependencies[?(@.target == 'inventory')]").exists()
                .jsonPath("$.inventory.dependencies").isEmpty();
    }

    @Test
    void theApiIsDescribedWithOpenApi() {
        http.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.paths['/api/orders']").exists()
                .jsonPath("$.paths['/api/catalog/products/{id}/price']").exists();
    }
}
