package dev.ficus.contracts.identity;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * Signs tokens as the shop's issuer does (RS256, its issuer and audience, {@code roles} and
 * {@code customer_id} claims), with the issuer's own key or a key of its own whose public half it
 * serves as a JWK set; and makes the tokens an API must refuse: expired, without expiry, not yet
 * valid, signed by another key under the same key id or under an unknown one, unsigned
 * ({@code alg: none}), HS256 with the public key as secret, for another audience or issuer, oversized.
 */
public final class TestIssuer implements AutoCloseable {

    private static final Duration LIFETIME = Duration.ofMinutes(10);

    private final RSAKey key;
    private final String issuer;
    private final String audience;
    private HttpServer jwks;

    private TestIssuer(RSAKey key, String issuer, String audience) {
        this.key = key;
        this.issuer = issuer;
        this.audience = audience;
    }

    /** An issuer with a key of its own: serve its keys ({@link #serveJwks()}) to whatever checks its tokens. */
    public static TestIssuer generated(String issuer, String audience) {
        try {
            return new TestIssuer(new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString())
                    .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate(), issuer, audience);
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An issuer signing with the given private key, a JWK as JSON: the real issuer's, read from its store. */
    public static TestIssuer withKey(String privateJwk, String issuer, String audience) {
        try {
            return new TestIssuer(RSAKey.parse(privateJwk), issuer, audience);
        }
        catch (ParseException e) {
            throw new IllegalArgumentException("Not an RSA JWK", e);
        }
    }

    /** Serves this issuer's public key as a JWK set, on a port of its own, until closed; returns its URI. */
    public synchronized URI serveJwks() {
        if (jwks == null) {
            try {
                jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            byte[] body = new JWKSet(key.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
            jwks.createContext("/oauth2/jwks", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            jwks.start();
        }
        return URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/oauth2/jwks");
    }

    /** A good token for a user with these roles (none: a user without any), valid for ten minutes. */
    public String token(String subject, Set<String> roles) {
        return token(subject, roles, null);
    }

    /** A good token for a user with these roles, bound to this customer id (none if null). */
    public String token(String subject, Set<String> roles, UUID customerId) {
        JWTClaimsSet.Builder claims = claims(subject, roles, Instant.now(), Instant.now().plus(LIFETIME));
        if (customerId != null) {
            claims.claim("customer_id", customerId.toString());
        }
        return sign(claims.build(), key);
    }

    /** A good token for a customer bound to this customer id. */
    public String customerToken(String subject, UUID customerId) {
        return token(subject, Set.of("customer"), customerId);
    }

    /** Signed well, but it expired two minutes ago (beyond any allowed clock skew). */
    public String expired(Set<String> roles) {
        Instant issued = Instant.now().minus(Duration.ofMinutes(20));
        return sign(claims("expired-user", roles, issued, Instant.now().minus(Duration.ofMinutes(2))).build(), key);
    }

    /** Signed well, but valid only from five minutes on. */
    public String notYetValid(Set<String> roles) {
        Instant from = Instant.now().plus(Duration.ofMinutes(5));
        return sign(claims("early-user", roles, from, from.plus(LIFETIME)).build(), key);
    }

    /** The same claims and key id, signed with another key: a forgery. */
    public String wronglySigned(Set<String> roles) {
        try {
            RSAKey other = new RSAKeyGenerator(2048).keyID(key.getKeyID()).generate();
            return sign(claims("forger", roles, Instant.now(), Instant.now().plus(LIFETIME)).build(), other);
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** No signature at all: {@code alg: none}. */
    public String unsigned(Set<String> roles) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = base64.encodeToString(claims("unsigned-user", roles, Instant.now(),
                Instant.now().plus(LIFETIME)).build().toString().getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }

    /** Signed well, for another API. */
    public String forAudience(String otherAudience, Set<String> roles) {
        return sign(claims("elsewhere-user", roles, Instant.now(), Instant.now().plus(LIFETIME))
                .audience(otherAudience).build(), key);
    }

    /** Signed well, from another issuer's name. */
    public String fromIssuer(String otherIssuer, Set<String> roles) {
        return sign(claims("foreign-user", roles, Instant.now(), Instant.now().plus(LIFETIME))
                .issuer(otherIssuer).build(), key);
    }

    /** Signed well, but without an expiry: valid forever, were it accepted. */
    public String withoutExpiry(Set<String> roles) {
        JWTClaimsSet claims = claims("immortal-user", roles, Instant.now(), Instant.now().plus(LIFETIME)).build();
        return sign(new JWTClaimsSet.Builder(claims).expirationTime(null).build(), key);
    }

    /** Signed with a key of its own, under a key id the issuer never published. */
    public String unknownKey(Set<String> roles) {
        try {
            RSAKey other = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
            return sign(claims("stranger", roles, Instant.now(), Instant.now().plus(LIFETIME)).build(), other);
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * HS256, its "secret" the issuer's public key, under the issuer's key id: the old confusion of an
     * asymmetric key for a shared secret, which anyone holding the public key could sign with.
     */
    public String hmacWithThePublicKey(Set<String> roles) {
        try {
            SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(),
                    claims("confused-user", roles, Instant.now(), Instant.now().plus(LIFETIME)).build());
            token.sign(new MACSigner(key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
            return token.serialize();
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signed well, but padded with a claim to about this many characters: longer than any real token. */
    public String oversized(Set<String> roles, int length) {
        return sign(claims("padded-user", roles, Instant.now(), Instant.now().plus(LIFETIME))
                .claim("padding", "x".repeat(length)).build(), key);
    }

    private JWTClaimsSet.Builder claims(String subject, Set<String> roles, Instant from, Instant until) {
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(subject)
                .issueTime(Date.from(from))
                .notBeforeTime(Date.from(from))
                .expirationTime(Date.from(until))
                .jwtID(UUID.randomUUID().toString())
                .claim("roles", List.copyOf(new TreeSet<>(roles)));
    }

    private static String sign(JWTClaimsSet claims, RSAKey with) {
        try {
            SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            token.sign(new RSASSASigner(with));
            return token.serialize();
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (jwks != null) {
            jwks.stop(0);
            jwks = null;
        }
    }
}
