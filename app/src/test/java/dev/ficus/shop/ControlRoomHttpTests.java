package dev.ficus.shop;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The migration control room over HTTP: only for operators, actions only with the page's CSRF
 * token, bad input as problems, and a readiness report drawn from the module model and the
 * database. (The calls between modules are counted off Spring Modulith's observations, whose
 * interceptors are shared by every application context in a JVM: WatchAMigrationTests, with one
 * shop per process, checks them.)
 */
@ShopHttpTest
class ControlRoomHttpTests {

    private static final String ROOM = "/actuator/control-room";
    private static final Pattern TOKEN = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    @Autowired
    RestTestClient http;

    @Test
    void theRoomAndItsReportAreForOperatorsOnly() {
        for (String path : new String[] {ROOM, ROOM + "/readiness", ROOM + "/readiness/catalog"}) {
            http.get().uri(path).exchange().expectStatus().isUnauthorized();
            http.get().uri(path).headers(headers -> headers.setBasicAuth("ops", "wrong")).exchange()
                    .expectStatus().isUnauthorized();
        }
        String page = asOperator(http.get().uri(ROOM)).exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("Migration control room", "id=\"module-catalog\"", "id=\"capability-catalog-reads\"",
                "id=\"module-orders\"");
    }

    @Test
    void anActionNeedsTheTokenOfThePage() {
        asOperator(http.post().uri(ROOM + "/dead-letters")).exchange().expectStatus().isForbidden();

        Session session = openPage();
        session.post(ROOM + "/dead-letters", "").expectStatus().isSeeOther()
                .expectHeader().valueEquals(HttpHeaders.LOCATION, ROOM);
        // What it did shows once, on the page the browser is sent back to.
        assertThat(session.get(ROOM)).contains("id=\"outcome\"", "replayed");
        assertThat(session.get(ROOM)).doesNotContain("id=\"outcome\"");
        session.postWithToken(ROOM + "/dead-letters", "not-the-token", "").expectStatus().isForbidden();
    }

    @Test
    void anEventConsumersDeadLettersAreReplayedFromThePage() {
        Session session = openPage();
        assertThat(session.get(ROOM)).contains("id=\"consumer-shop-inventory-answers\"");
        session.post(ROOM + "/events/shop-inventory-answers/dead-letters", "").expectStatus().isSeeOther();
        assertThat(session.get(ROOM)).contains("Dead letters of shop-inventory-answers: 0 moved back");
        session.post(ROOM + "/events/no-such-consumer/dead-letters", "").expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void anUnknownModuleOrPhaseIsAProblem() {
        asOperator(http.get().uri(ROOM + "/readiness/no-such-module")).exchange().expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.title").isEqualTo("No such module");
        Session session = openPage();
        session.post(ROOM + "/modules/no-such-module/reconciliations", "").expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        session.post(ROOM + "/modules/orders/reconciliations", "").expectStatus().isNotFound()
                .expectBody().jsonPath("$.detail").isEqualTo("No module named orders has an extracted service here");
        session.post(ROOM + "/modules/catalog/phase", "&phase=" + "x%22,%22y").expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void theReadinessReportComesFromTheModulesAndTheDatabase() {
        asOperator(http.get().uri(ROOM + "/readiness/orders")).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.dependsOn").value(dependsOn -> assertThat(dependsOn.toString())
                        .contains("catalog", "customers", "inventory"))
                .jsonPath("$.tables").value(tables -> assertThat(tables.toString()).contains("orders", "order_lines"))
                .jsonPath("$.ready").isEqualTo(false)
                .jsonPath("$.gates[0].name").isEqualTo("extracted service");
        await().untilAsserted(() -> asOperator(http.get().uri(ROOM + "/readiness/catalog")).exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.usedBy").value(usedBy -> assertThat(usedBy.toString()).contains("orders"))
                .jsonPath("$.tables").value(tables -> assertThat(tables.toString()).contains("products"))
                .jsonPath("$.gates[?(@.name == 'contract suite')].passed").isEqualTo(true)
                // No catalog-service runs beside these tests.
                .jsonPath("$.gates[?(@.name == 'replication under its bound')].passed").isEqualTo(false)
                .jsonPath("$.ready").isEqualTo(false));
    }

    /** The page as a browser holds it: its session cookie and the token its forms send. */
    private record Session(RestTestClient http, String cookie, String token) {

        String get(String path) {
            return http.get().uri(path).header(HttpHeaders.COOKIE, cookie).exchange().expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
        }

        /** Posts the page's token and these further form fields ({@code &name=value...}). */
        RestTestClient.ResponseSpec post(String path, String fields) {
            return postWithToken(path, token, fields);
        }

        RestTestClient.ResponseSpec postWithToken(String path, String token, String fields) {
            return http.post().uri(path).header(HttpHeaders.COOKIE, cookie)
                    .contentType(MediaType.APPLICATION_FORM_URLENCODED).body("_csrf=" + token + fields).exchange();
        }
    }

    private Session openPage() {
        var result = asOperator(http.get().uri(ROOM)).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult();
        String cookie = result.getResponseHeaders().getFirst(HttpHeaders.SET_COOKIE).split(";")[0];
        Matcher token = TOKEN.matcher(result.getResponseBody());
        assertThat(token.find()).as("a form with the CSRF token").isTrue();
        return new Session(http, cookie, token.group(1));
    }

    private static <S extends RestTestClient.RequestHeadersSpec<?>> S asOperator(S request) {
        request.headers(headers -> headers.setBasicAuth("ops", "test-secret"));
        return request;
    }
}
