package dev.ficus.systemtests;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A user logged in at a running shop's token endpoint ({@code POST /oauth2/token}, the password
 * grant), as any client logs in. The token is fetched on first use and again before it expires, so
 * a long test never sends an expired one. It is good at the shop's extracted services too: they
 * check it against the keys the shop publishes.
 *
 * <p>The demo accounts (loaded with the demo data) all have the password {@value #DEMO_PASSWORD}:
 * {@code catalog-admin}, {@code operator}, and each demo customer by email ({@code grace1@example.com},
 * {@code alan2@example.com}, ...).
 */
final class Login {

    static final String DEMO_PASSWORD = "demo";
    static final String CATALOG_ADMIN = "catalog-admin";
    /** A token is fetched anew once less than this is left of it. */
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(2);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Http shop;
    private final String username;
    private final String password;
    private String token;
    private Instant expiresAt = Instant.EPOCH;
    private String customerId;

    private Login(Http shop, String username, String password) {
        this.shop = shop;
        this.username = username;
        this.password = password;
    }

    /** A demo account: {@code catalog-admin}, {@code operator}, or a demo customer's email. */
    static Login demo(Http shop, String username) {
        return new Login(shop, username, DEMO_PASSWORD);
    }

    static Login catalogAdmin(Http shop) {
        return demo(shop, CATALOG_ADMIN);
    }

    /** Logs in once and returns the access token, a JWT; a refused login fails. */
    static String token(Http shop, String username, String password) {
        return login(shop, username, password).path("access_token").asString();
    }

    private static JsonNode login(Http shop, String username, String password) {
        Http.Response response = shop.postForm("/oauth2/token", "grant_type=password&username="
                + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8));
        if (response.status() != 200) {
            throw new IllegalStateException("Login as " + username + " refused: " + response.status() + " "
                    + response.body());
        }
        return response.json();
    }

    /**
     * A token that is valid for a while yet. If logging in again fails (the shop restarting, say),
     * the token in hand serves as long as it is still valid.
     */
    synchronized String token() {
        Instant now = Instant.now();
        if (now.isAfter(expiresAt.minus(RENEW_BEFORE))) {
            try {
                JsonNode answer = login(shop, username, password);
                token = answer.path("access_token").asString();
                expiresAt = now.plusSeconds(answer.path("expires_in").asLong());
                customerId = claims(token).path("customer_id").asString(null);
            }
            catch (RuntimeException e) {
                if (token == null || now.isAfter(expiresAt.minusSeconds(10))) {
                    throw e;
                }
            }
        }
        return token;
    }

    /** The application (the shop or one of its services), called with this user's token. */
    Http on(Http application) {
        return application.withToken(token());
    }

    /** The customer this user is: the token's {@code customer_id} claim. */
    String customerId() {
        token();
        synchronized (this) {
            if (customerId == null) {
                throw new IllegalStateException(username + " is not a customer");
            }
            return customerId;
        }
    }

    String username() {
        return username;
    }

    /** A JWT's claims: its middle part, base64url-decoded. */
    static JsonNode claims(String jwt) {
        return part(jwt, 1);
    }

    /** A JWT's header ({@code alg}, {@code kid}, {@code typ}): its first part. */
    static JsonNode header(String jwt) {
        return part(jwt, 0);
    }

    private static JsonNode part(String jwt, int index) {
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return username;
    }
}
