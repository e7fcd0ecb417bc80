package dev.ficus.shop;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** A user who is not an operator sees neither the control room nor any other operations endpoint. */
@ShopHttpTest
@TestPropertySource(properties = "spring.security.user.roles=VIEWER")
class ControlRoomViewerHttpTests {

    @Autowired
    RestTestClient http;

    @Test
    void aUserWithoutTheOperatorRoleIsRefused() {
        for (String path : new String[] {"/actuator/control-room", "/actuator/control-room/readiness",
                "/actuator/routing", "/actuator/prometheus"}) {
            http.get().uri(path).headers(headers -> headers.setBasicAuth("ops", "test-secret")).exchange()
                    .expectStatus().isForbidden()
                    .expectBody(String.class).value(body -> assertThat(body).doesNotContain("catalog-reads", "verdict"));
        }
        // Anyone reads the overall status (503 while a dependency is down), never its details.
        http.get().uri("/actuator/health").exchange()
                .expectStatus().value(status -> assertThat(status).isIn(200, 503))
                .expectBody(String.class).value(body -> assertThat(body).contains("\"status\"")
                        .doesNotContain("components"));
    }
}
