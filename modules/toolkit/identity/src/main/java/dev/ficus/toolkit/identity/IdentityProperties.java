package dev.ficus.toolkit.identity;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which tokens are accepted ({@code ficus.identity.*}).
 *
 * @param issuer         the {@code iss} every token must carry: the monolith that issues them
 * @param audience       the {@code aud} every token must name: the API the monolith and its extracted
 *                       services serve together, so that a caller's token is relayed unchanged
 * @param jwkSetUri      where the issuer publishes its public keys, such as
 *                       {@code http://shop:8080/oauth2/jwks}; unset in the issuer itself, which
 *                       checks tokens against its own keys (a {@code JWKSource} bean)
 * @param jwkSetTimeout  longest wait for the issuer's keys; a token whose key cannot be fetched is refused
 * @param clockSkew      how far clocks may disagree on {@code exp} and {@code nbf}
 * @param maxTokenLength longer bearer tokens are refused unread (401), before any parsing
 */
@ConfigurationProperties("ficus.identity")
public record IdentityProperties(
        @DefaultValue("ficus-shop") String issuer,
        @DefaultValue("ficus-api") String audience,
        URI jwkSetUri,
        @DefaultValue("2s") Duration jwkSetTimeout,
        @DefaultValue("30s") Duration clockSkew,
        @DefaultValue("4096") int maxTokenLength) {
}
