package dev.ficus.shop;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.client.RestTestClient;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import dev.ficus.contracts.identity.TestIssuer;
import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.customers.Customer;
import dev.ficus.shop.identity.Accounts;
import dev.ficus.shop.identity.NewAccount;
import dev.ficus.shop.identity.Roles;
import dev.ficus.shop.orders.Order;
import dev.ficus.toolkit.identity.IdentityProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shop as the issuer: a login is one form post to the token endpoint; the token it answers
 * opens what the account's roles allow, and nothing else; a customer sees their own profile and
 * orders only; keys rotate without a token failing; operators may use a token too; and every
 * refusal is a problem, counted by its reason.
 */
@ShopHttpTest
class IdentityHttpTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    RestTestClient http;

    @Autowired
    ShopTokens tokens;

    @Autowired
    Accounts accounts;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry meters;

    @Autowired
    IdentityProperties identity;

    @Test
    void aLoginAnswersASignedTokenNamingTheUserTheirRolesAndTheirCustomer() {
        UUID customerId = UUID.randomUUID();
        String username = "buyer-" + customerId + "@example.org";
        accounts.openAll(List.of(new NewAccount(username, "secret-1", Set.of(Roles.CUSTOMER), customerId)));

        JsonNode answer = login(username, "secret-1");

        assertThat(answer.get("token_type").stringValue()).isEqualTo("Bearer");
        assertThat(answer.get("expires_in").intValue()).isEqualTo(900);
        JsonNode claims = claims(answer.get("access_token").stringValue());
        assertThat(claims.get("iss").stringValue()).isEqualTo("ficus-shop");
        // One audience is written as a string, as JWT allows.
        assertThat(claims.get("aud").stringValue()).isEqualTo("ficus-api");
        assertThat(claims.get("sub").stringValue()).isEqualTo(username);
        assertThat(claims.get("roles").get(0).stringValue()).isEqualTo("customer");
        assertThat(claims.get("customer_id").stringValue()).isEqualTo(customerId.toString());
        assertThat(claims.get("exp").longValue() - claims.get("iat").longValue()).isEqualTo(900);
        JsonNode header = part(answer.get("access_token").stringValue(), 0);
        assertThat(header.get("alg").stringValue()).isEqualTo("RS256");
        assertThat(jwks().findValuesAsString("kid")).contains(header.get("kid").stringValue());
    }

    @Test
    void aWrongPasswordAndAnUnknownUserAreTheSameRefusal() {
        String username = "admin-" + UUID.randomUUID();
        accounts.openAll(List.of(new NewAccount(username, "right-one", Set.of(Roles.CATALOG_ADMIN), null)));

        for (String[] attempt : List.of(new String[] {username, "wrong-one"}, new String[] {"nobody-" + username, "x"})) {
            http.post().uri("/oauth2/token").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                    .body(form("password", attempt[0], attempt[1])).exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody()
                    .jsonPath("$.type").isEqualTo("urn:problem-type:login-refused")
                    .jsonPath("$.error").isEqualTo("invalid_grant")
                    .jsonPath("$.detail").isEqualTo("The username or the password is wrong");
        }
        // A username with a NUL byte is no account either: the same refusal, not a database error.
        http.post().uri("/oauth2/token").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(form("password", username + "\u0000", "right-one")).exchange()
                .expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.error").isEqualTo("invalid_grant");
        MultiValueMap<String, String> clientCredentials = new LinkedMultiValueMap<>();
        clientCredentials.add("grant_type", "client_credentials");
        http.post().uri("/oauth2/token").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(clientCredentials).exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.error").isEqualTo("unsupported_grant_type");
        http.post().uri("/oauth2/token").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(new LinkedMultiValueMap<>()).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").isEqualTo("invalid_request");
        // Credentials in the URL would end up in logs: refused, even when right.
        http.post().uri("/oauth2/token?password=right-one").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(form("password", username, "right-one")).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").isEqualTo("invalid_request");
    }

    @Test
    void theJwksPublishesPublicKeysOnly() {
        JsonNode keys = jwks().get("keys");

        assertThat(keys.size()).isPositive();
        keys.forEach(key -> {
            assertThat(key.get("kty").stringValue()).isEqualTo("RSA");
            assertThat(key.has("n")).isTrue();
            assertThat(key.has("d")).as("a private exponent").isFalse();
            assertThat(key.has("p")).isFalse();
        });
    }

    @Test
    void aPriceChangeNeedsACatalogAdminLoggedIn() {
        Product product = createProduct();
        String admin = "admin-" + UUID.randomUUID();
        String buyer = "buyer-" + UUID.randomUUID();
        accounts.openAll(List.of(new NewAccount(admin, "pass-admin", Set.of(Roles.CATALOG_ADMIN), null),
                new NewAccount(buyer, "pass-buyer", Set.of(Roles.CUSTOMER), UUID.randomUUID())));
        Map<String, Object> price = Map.of("amount", 9.99, "currency", "EUR");

        http.put().uri("/api/catalog/products/{id}/price", product.id()).contentType(MediaType.APPLICATION_JSON)
                .body(price).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:unauthenticated");
        http.put().uri("/api/catalog/products/{id}/price", product.id()).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, bearer(buyer, "pass-buyer")).body(price).exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:forbidden");
        http.put().uri("/api/catalog/products/{id}/price", product.id()).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, bearer(admin, "pass-admin")).body(price).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.price.amount").isEqualTo(9.99);
    }

    @Test
    void aCustomerSeesTheirOwnProfileAndOrdersOnly() {
        Customer ada = register("ada");
        Customer bob = register("bob");
        Product lamp = createProduct();
        String asAda = tokens.customer(ada.id());
        String asBob = tokens.customer(bob.id());
        Order adas = http.post().uri("/api/orders").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, asAda)
                .body(Map.of("customerId", ada.id(), "lines", List.of(Map.of("sku", lamp.sku(), "quantity", 1))))
                .exchange().expectStatus().isCreated().expectBody(Order.class).returnResult().getResponseBody();

        http.get().uri("/api/orders/{id}", adas.id()).header(HttpHeaders.AUTHORIZATION, asAda).exchange()
                .expectStatus().isOk();
        http.get().uri("/api/customers/{id}", ada.id()).header(HttpHeaders.AUTHORIZATION, asAda).exchange()
                .expectStatus().isOk();
        // Another's order or profile is not found, exactly like one that does not exist.
        http.get().uri("/api/orders/{id}", adas.id()).header(HttpHeaders.AUTHORIZATION, asBob).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:order-not-found");
        http.get().uri("/api/customers/{id}", ada.id()).header(HttpHeaders.AUTHORIZATION, asBob).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:customer-not-found");
        http.put().uri("/api/customers/{id}", ada.id()).header(HttpHeaders.AUTHORIZATION, asBob)
                .contentType(MediaType.APPLICATION_JSON).body(Map.of("email", "taken@example.org", "name", "Bob"))
                .exchange().expectStatus().isNotFound();
        assertThat(jdbc.sql("select name from customers.customers where id = ?").param(ada.id())
                .query(String.class).single()).isEqualTo("ada");
        // Orders are placed by a customer, for themselves.
        http.post().uri("/api/orders").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, asBob)
                .body(Map.of("customerId", ada.id(), "lines", List.of(Map.of("sku", lamp.sku(), "quantity", 1))))
                .exchange().expectStatus().isForbidden()
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem-type:order-for-someone-else");
        http.post().uri("/api/orders").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())
                .body(Map.of("customerId", ada.id(), "lines", List.of(Map.of("sku", lamp.sku(), "quantity", 1))))
                .exchange().expectStatus().isForbidden();
        http.get().uri("/api/orders/{id}", adas.id()).exchange().expectStatus().isUnauthorized();
        assertThat(jdbc.sql("select count(*) from orders.orders where customer_id = ?").param(ada.id())
                .query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void hostileTokensAreRefusedEvenWhereNoneIsNeededAndCountedByReason() {
        TestIssuer issuer = tokens.issuer();
        Set<String> admin = Set.of(Roles.CATALOG_ADMIN);
        List<Map.Entry<String, String>> hostile = List.of(
                Map.entry("expired", issuer.expired(admin)),
                Map.entry("no-expiry", issuer.withoutExpiry(admin)),
                Map.entry("unknown-key", issuer.unknownKey(admin)),
                Map.entry("not-yet-valid", issuer.notYetValid(admin)),
                Map.entry("signature", issuer.wronglySigned(admin)),
                Map.entry("algorithm", issuer.unsigned(admin)),
                Map.entry("algorithm", issuer.hmacWithThePublicKey(admin)),
                Map.entry("audience", issuer.forAudience("another-api", admin)),
                Map.entry("issuer", issuer.fromIssuer("another-issuer", admin)),
                Map.entry("oversized", issuer.oversized(admin, 6_000)),
                Map.entry("malformed", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"));
        hostile.forEach(kind -> {
            String reason = kind.getKey();
            String token = kind.getValue();
            double before = refusals(reason);
            http.get().uri("/api/catalog/products?size=1").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.status").isEqualTo(401);
            assertThat(refusals(reason)).as(reason).isEqualTo(before + 1);
        });
        // A header beyond any token, but within what the server reads: the same 401 problem.
        http.get().uri("/api/catalog/products?size=1").header(HttpHeaders.AUTHORIZATION, "Bearer " + "x".repeat(20_000))
                .exchange().expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void aTokenSignedBeforeAKeyRotationStaysGoodAndTheNewKeyIsPublishedAtOnce() {
        String before = tokens.admin();
        Product product = createProduct();

        String kid = http.post().uri("/admin/identity/keys").headers(h -> h.setBasicAuth("ops", "test-secret"))
                .contentType(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("kid").stringValue();

        assertThat(jwks().findValuesAsString("kid")).contains(kid).hasSizeGreaterThan(1);
        http.put().uri("/api/catalog/products/{id}/price", product.id()).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, before).body(Map.of("amount", 4, "currency", "EUR")).exchange()
                .expectStatus().isOk();
        String newKey = jdbc.sql("select jwk from identity.signing_keys where kid = ?").param(kid).query(String.class).single();
        String after = TestIssuer.withKey(newKey, identity.issuer(), identity.audience())
                .token("rotated-admin", Set.of(Roles.CATALOG_ADMIN));
        http.put().uri("/api/catalog/products/{id}/price", product.id()).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + after).body(Map.of("amount", 5, "currency", "EUR"))
                .exchange().expectStatus().isOk();
        // A key withdrawn (a leaked one, say) is published no more, and its tokens are refused at once.
        http.delete().uri("/admin/identity/keys/{kid}", kid).headers(h -> h.setBasicAuth("ops", "test-secret"))
                .header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
                .exchange().expectStatus().isNoContent();
        assertThat(jwks().findValuesAsString("kid")).doesNotContain(kid).isNotEmpty();
        http.put().uri("/api/catalog/products/{id}/price", product.id()).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + after).body(Map.of("amount", 6, "currency", "EUR"))
                .exchange().expectStatus().isUnauthorized();
        http.delete().uri("/admin/identity/keys/{kid}", kid).headers(h -> h.setBasicAuth("ops", "test-secret"))
                .header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
                .exchange().expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        // Rotating is an operator's act: a catalog-admin's token is not enough.
        http.post().uri("/admin/identity/keys").header(HttpHeaders.AUTHORIZATION, before)
                .contentType(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void anOperatorMayUseATokenOnTheOperationsEndpoints() {
        String operator = "Bearer " + tokens.issuer().token("an-operator", Set.of(Roles.OPERATOR));

        http.get().uri("/actuator/routing").header(HttpHeaders.AUTHORIZATION, operator).exchange()
                .expectStatus().isOk();
        http.get().uri("/actuator/routing").header(HttpHeaders.AUTHORIZATION, tokens.admin()).exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        http.get().uri("/actuator/routing").headers(h -> h.setBasicAuth("ops", "wrong")).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"ficus\"");
    }

    @Test
    void healthShowsItsDetailsToOperatorsOnly() {
        http.get().uri("/actuator/health").header(HttpHeaders.AUTHORIZATION, tokens.customer(UUID.randomUUID()))
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").exists().jsonPath("$.components").doesNotExist();
        http.get().uri("/actuator/health").headers(h -> h.setBasicAuth("ops", "test-secret"))
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.db").exists();
    }

    @Test
    void theOpenApiDocumentDeclaresHowCallersProveWhoTheyAre() {
        http.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.components.securitySchemes.bearer.scheme").isEqualTo("bearer")
                .jsonPath("$.components.securitySchemes.bearer.bearerFormat").isEqualTo("JWT")
                .jsonPath("$.components.securitySchemes.login.flows.password.tokenUrl").isEqualTo("/oauth2/token")
                .jsonPath("$.components.securitySchemes.operator.scheme").isEqualTo("basic");
    }

    private double refusals(String reason) {
        var counter = meters.find("ficus.security.refusals").tag("status", "401").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private JsonNode login(String username, String password) {
        return http.post().uri("/oauth2/token").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(form("password", username, password)).exchange()
                .expectStatus().isOk()
                .expectHeader().cacheControl(org.springframework.http.CacheControl.noStore())
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private String bearer(String username, String password) {
        return "Bearer " + login(username, password).get("access_token").stringValue();
    }

    private static MultiValueMap<String, String> form(String grantType, String username, String password) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("grant_type", grantType);
        form.add("username", username);
        form.add("password", password);
        return form;
    }

    private JsonNode jwks() {
        return http.get().uri("/oauth2/jwks").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private static JsonNode claims(String token) {
        return part(token, 1);
    }

    private static JsonNode part(String token, int index) {
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[index]), StandardCharsets.UTF_8));
    }

    private Customer register(String name) {
        return http.post().uri("/api/customers").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("email", name + "-" + UUID.randomUUID() + "@example.org", "name", name))
                .exchange().expectStatus().isCreated().expectBody(Customer.class).returnResult().getResponseBody();
    }

    private Product createProduct() {
        String sku = "ID-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        return http.post().uri("/api/catalog/products").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())
                .body(Map.of("sku", sku, "name", "Guarded " + sku, "category", "tools",
                        "price", Map.of("amount", 3, "currency", "EUR")))
                .exchange().expectStatus().isCreated().expectBody(Product.class).returnResult().getResponseBody();
    }
}
