package dev.ficus.shop.identity.internal;

import java.time.Duration;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the shop issues tokens ({@code ficus.identity.issuing.*}); which tokens are accepted is
 * {@code ficus.identity.*}.
 *
 * @param tokenLifetime  how long a token is valid: a relayed token is as good as its holder, so short
 * @param keyRotation    a new signing key after this long; the old one is published until its last
 *                       token expired
 * @param publishAhead   a new key is published this long before it signs, so that services which
 *                       cache the keys know it before they meet it
 * @param keyRefresh     how often an instance reads the keys again (other instances may have rotated)
 * @param serviceSubject the subject of the shop's own token, for calls made outside any request
 * @param serviceRoles   the roles of that token: what the shop's own background work needs of a service
 */
@ConfigurationProperties("ficus.identity.issuing")
record IssuingProperties(
        @DefaultValue("15m") Duration tokenLifetime,
        @DefaultValue("30d") Duration keyRotation,
        @DefaultValue("1m") Duration publishAhead,
        @DefaultValue("30s") Duration keyRefresh,
        @DefaultValue("ficus-shop") String serviceSubject,
        @DefaultValue("catalog-admin") Set<String> serviceRoles) {
}
