package dev.ficus.toolkit.identity;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.client.RestTemplate;

import dev.ficus.toolkit.operations.OperationsAuthentication;
import dev.ficus.toolkit.operations.OperationsSecurityAutoConfiguration;
import dev.ficus.toolkit.operations.Refusals;

/**
 * Bearer tokens on every request: checked (signature by one of the issuer's RS256 keys, issuer,
 * audience, expiry and not-before), turned into roles, and refused with a counted 401 problem when
 * anything is wrong, before any handler runs, even on an endpoint open to anonymous callers. The
 * application's {@link AccessRules} decide the rest; what they do not name is open. Operations
 * endpoints accept the same tokens (role {@code operator}) beside HTTP Basic.
 */
@AutoConfiguration(before = OperationsSecurityAutoConfiguration.class, afterName = {
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(IdentityProperties.class)
public class IdentityAutoConfiguration {

    /** The API's chain comes after the operations' and the control room's, and takes every other request. */
    public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 100;

    @Bean
    @ConditionalOnMissingBean(JwtDecoder.class)
    JwtDecoder identityJwtDecoder(IdentityProperties identity, ObjectProvider<JWKSource<SecurityContext>> ownKeys) {
        NimbusJwtDecoder decoder;
        if (identity.jwkSetUri() != null) {
            SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
            requests.setConnectTimeout(identity.jwkSetTimeout());
            requests.setReadTimeout(identity.jwkSetTimeout());
            decoder = NimbusJwtDecoder.withJwkSetUri(identity.jwkSetUri().toString())
                    .jwsAlgorithm(SignatureAlgorithm.RS256)
                    .restOperations(new RestTemplate(requests))
                    .build();
        }
        else {
            JWKSource<SecurityContext> keys = ownKeys.getIfAvailable();
            if (keys == null) {
                throw new IllegalStateException("Tokens cannot be checked: set ficus.identity.jwk-set-uri to the "
                        + "issuer's JWKS (http://shop:8080/oauth2/jwks, say), or declare the issuer's JWKSource bean");
            }
            decoder = NimbusJwtDecoder.withJwkSource(keys).jwsAlgorithm(SignatureAlgorithm.RS256).build();
        }
        decoder.setJwtValidator(validator(identity));
        return decoder;
    }

    /** Exactly what makes a token good here; each failure names itself for {@link RefusalReasons}. */
    static OAuth2TokenValidator<Jwt> validator(IdentityProperties identity) {
        return new DelegatingOAuth2TokenValidator<>(List.of(
                new JwtClaimValidator<Object>(JwtClaimNames.EXP, expiry -> expiry != null),
                new JwtTimestampValidator(identity.clockSkew()),
                new JwtIssuerValidator(identity.issuer()),
                new JwtAudienceValidator(identity.audience())));
    }

    @Bean
    @ConditionalOnMissingBean(name = "tokenRefusals")
    Refusals tokenRefusals(ObjectProvider<MeterRegistry> meters) {
        return new Refusals(meters.getIfAvailable(), "Bearer", RefusalReasons::of);
    }

    @Bean
    @ConditionalOnMissingBean
    TokenRelay tokenRelay(ObjectProvider<ServiceIdentity> serviceIdentity) {
        return new TokenRelay(serviceIdentity);
    }

    /** Operators may use a token with the role {@code operator} instead of a password. */
    @Bean
    @ConditionalOnMissingBean(name = "bearerTokensOnOperations")
    OperationsAuthentication bearerTokensOnOperations(JwtDecoder decoder, IdentityProperties identity,
            Refusals tokenRefusals) {
        return http -> bearerTokens(http, decoder, identity, tokenRefusals);
    }

    /** The API: tokens checked on every request, the application's rules, everything else open. */
    @Bean
    @Order(ORDER)
    @ConditionalOnMissingBean(name = "apiSecurity")
    SecurityFilterChain apiSecurity(HttpSecurity http, JwtDecoder decoder, IdentityProperties identity,
            Refusals tokenRefusals, ObjectProvider<AccessRules> rules) {
        http.authorizeHttpRequests(requests -> {
                    rules.orderedStream().forEach(rule -> rule.apply(requests));
                    requests.anyRequest().permitAll();
                })
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(tokenRefusals)
                        .accessDeniedHandler(tokenRefusals))
                // Tokens come in a header, never in a cookie: no session, and nothing for CSRF to guard.
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        bearerTokens(http, decoder, identity, tokenRefusals);
        return http.build();
    }

    private static void bearerTokens(HttpSecurity http, JwtDecoder decoder, IdentityProperties identity,
            Refusals refusals) {
        JwtAuthenticationConverter roles = new JwtAuthenticationConverter();
        roles.setJwtGrantedAuthoritiesConverter(IdentityClaims::authorities);
        BearerTokenResolver resolver = new BoundedBearerTokenResolver(identity.maxTokenLength());
        http.oauth2ResourceServer(server -> server
                .bearerTokenResolver(resolver)
                .authenticationEntryPoint(refusals)
                .accessDeniedHandler(refusals)
                .jwt(jwt -> jwt.decoder(decoder).jwtAuthenticationConverter(roles)));
    }
}
