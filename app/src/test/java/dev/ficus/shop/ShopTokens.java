package dev.ficus.shop;

import java.util.Set;
import java.util.UUID;

import org.springframework.boot.test.context.TestComponent;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.contracts.identity.TestIssuer;
import dev.ficus.shop.identity.TokenKeys;
import dev.ficus.toolkit.identity.IdentityProperties;

/**
 * Tokens the shop under test accepts, signed with its own current key (read from its key store),
 * for any roles, and the hostile kinds; the token endpoint itself is tested with real logins.
 */
@TestComponent
class ShopTokens {

    private final TokenKeys keys;
    private final JdbcClient jdbc;
    private final IdentityProperties identity;
    private volatile TestIssuer issuer;

    ShopTokens(TokenKeys keys, JdbcClient jdbc, IdentityProperties identity) {
        this.keys = keys;
        this.jdbc = jdbc;
        this.identity = identity;
    }

    TestIssuer issuer() {
        if (issuer == null) {
            keys.published(); // makes the first key, if there is none yet
            String key = jdbc.sql("select jwk from identity.signing_keys order by created_at desc limit 1")
                    .query(String.class).single();
            issuer = TestIssuer.withKey(key, identity.issuer(), identity.audience());
        }
        return issuer;
    }

    /** {@code Bearer <token>} for a catalog-admin. */
    String admin() {
        return "Bearer " + issuer().token("test-admin", Set.of("catalog-admin"));
    }

    /**
     * {@code Bearer <token>} for a caller who may do anything the API offers, as the customer with
     * this id: for tests of something else than who may call.
     */
    String anything(UUID customerId) {
        return "Bearer " + issuer().token("test-everything", Set.of("catalog-admin", "customer"), customerId);
    }

    /** {@code Bearer <token>} for the customer with this id. */
    String customer(UUID customerId) {
        return "Bearer " + issuer().customerToken("test-customer-" + customerId, customerId);
    }
}
