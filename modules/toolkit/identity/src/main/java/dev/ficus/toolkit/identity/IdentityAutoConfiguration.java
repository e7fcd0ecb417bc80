package dev.ficus.toolkit.identity;

import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTParser;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.web.SecurityFilterChain;

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
            decoder = NimbusJwtDecoder.withJwkSource(issuersKeys(identity)).jwsAlgorithm(SignatureAlgorithm.RS256).build();
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
        // A key that cannot be fetched (the issuer away, or asked too often) refuses the token (401)
        // rather than failing the request (500): the caller may try again.
        return token -> {
            try {
                return decoder.decode(token);
            }
            catch (BadJwtException refused) {
                throw algorithmOtherThanRs256(token).orElse(refused);
            }
            catch (JwtException unverifiable) {
                throw new BadJwtException(RefusalReasons.KEY_UNAVAILABLE + ": " + unverifiable.getMessage(), unverifiable);
            }
        };
    }

    /**
     * Nimbus refuses a token of another algorithm and one of an unknown key alike ("another
     * algorithm expected, or no matching key(s) found"); which of the two it was is worth knowing.
     */
    private static Optional<BadJwtException> algorithmOtherThanRs256(String token) {
        try {
            String algorithm = JWTParser.parse(token).getHeader().getAlgorithm().getName();
            return "RS256".equals(algorithm) ? Optional.empty()
                    : Optional.of(new BadJwtException("Unsupported algorithm " + algorithm));
        }
        catch (ParseException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * The issuer's keys, fetched from its JWKS: kept five minutes, fetched again on a key id not
     * seen yet but at most every five seconds (a forged token with a made-up key id cannot make
     * this service hammer the issuer), and kept for an hour while the issuer cannot be reached.
     */
    static JWKSource<SecurityContext> issuersKeys(IdentityProperties identity) {
        int timeout = (int) identity.jwkSetTimeout().toMillis();
        try {
            return JWKSourceBuilder.<SecurityContext>create(identity.jwkSetUri().toURL(),
                            new DefaultResourceRetriever(timeout, timeout, JWKSourceBuilder.DEFAULT_HTTP_SIZE_LIMIT))
                    .cache(Duration.ofMinutes(5).toMillis(), identity.jwkSetTimeout().toMillis())
                    .rateLimited(Duration.ofSeconds(5).toMillis())
                    .outageTolerant(Duration.ofHours(1).toMillis())
                    .build();
        }
        catch (MalformedURLException e) {
            throw new IllegalStateException("ficus.identity.jwk-set-uri is not a URL: " + identity.jwkSetUri(), e);
        }
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
