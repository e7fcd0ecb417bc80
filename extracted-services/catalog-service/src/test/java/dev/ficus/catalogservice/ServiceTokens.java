package dev.ficus.catalogservice;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

import dev.ficus.contracts.identity.TestIssuer;

/**
 * Stands in for the shop as the issuer of tokens: the service under test fetches this issuer's
 * keys from its JWKS, exactly as it fetches the shop's in production.
 */
class ServiceTokens implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    static final TestIssuer ISSUER = TestIssuer.generated("ficus-shop", "ficus-api");

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestPropertyValues.of("ficus.identity.jwk-set-uri=" + ISSUER.serveJwks()).applyTo(context);
    }
}
