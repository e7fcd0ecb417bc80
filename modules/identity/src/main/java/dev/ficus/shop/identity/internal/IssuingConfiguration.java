package dev.ficus.shop.identity.internal;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/** The issuer's parts: tokens signed with the private keys, checked (here too) with the published ones. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(IssuingProperties.class)
class IssuingConfiguration {

    @Bean
    JwtEncoder identityJwtEncoder(SigningKeys keys) {
        return new NimbusJwtEncoder((selector, context) -> keys.select(selector, true));
    }

    /** The public keys: what the JWKS endpoint serves, and what the shop checks its own tokens with. */
    @Bean
    JWKSource<SecurityContext> publishedKeys(SigningKeys keys) {
        return (selector, context) -> keys.select(selector, false);
    }
}
