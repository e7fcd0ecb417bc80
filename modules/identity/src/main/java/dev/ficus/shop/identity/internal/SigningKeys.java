package dev.ficus.shop.identity.internal;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.ficus.shop.identity.TokenKeys;

/**
 * The RSA keys tokens are signed with, kept in {@code identity.signing_keys} so that every instance
 * signs and checks with the same ones. The newest key that has been published for
 * {@code publish-ahead} signs; every key whose tokens may still be valid is published, and a key
 * is deleted once a newer one has signed for longer than a token lives. A key older than
 * {@code key-rotation} is followed by a new one, made by whichever instance notices first (two
 * instances noticing at once make two keys, which is harmless).
 */
@Component
class SigningKeys implements TokenKeys {

    private record Key(RSAKey jwk, Instant createdAt) {
    }

    private record Loaded(List<Key> keys, long loadedAt) {
    }

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);
    private static final Duration RELOAD_ON_MISS = Duration.ofSeconds(1);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

    private final JdbcClient jdbc;
    private final IssuingProperties settings;
    private volatile Loaded loaded;

    SigningKeys(JdbcClient jdbc, IssuingProperties settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    /** The key that signs now. */
    RSAKey signing() {
        List<Key> keys = keys();
        Instant published = Instant.now().minus(settings.publishAhead());
        return keys.stream()
                .filter(key -> !key.createdAt().isAfter(published))
                .max(Comparator.comparing(Key::createdAt))
                // Only keys younger than publish-ahead (the very first one, say): the oldest of them.
                .orElseGet(() -> keys.stream().min(Comparator.comparing(Key::createdAt)).orElseThrow())
                .jwk();
    }

    @Override
    public Map<String, Object> published() {
        return publicKeys().toJSONObject(true);
    }

    private JWKSet publicKeys() {
        return new JWKSet(keys().stream().<JWK>map(key -> key.jwk().toPublicJWK()).toList());
    }

    /**
     * The keys the selector asks for (private ones to sign, public ones to check); a key not known
     * here yet, made by another instance, is looked for again in the database, at most once a second.
     */
    List<JWK> select(JWKSelector selector, boolean privateKeys) {
        List<JWK> found = selector.select(privateKeys ? all() : publicKeys());
        Loaded now = current();
        if (found.isEmpty() && System.nanoTime() - now.loadedAt() > RELOAD_ON_MISS.toNanos()) {
            refresh(now);
            found = selector.select(privateKeys ? all() : publicKeys());
        }
        return found;
    }

    @Override
    public String rotate() {
        String kid = insertNewKey();
        reload();
        return kid;
    }

    @Override
    public boolean withdraw(String kid) {
        int withdrawn = jdbc.sql("delete from identity.signing_keys where kid = ?").param(kid).update();
        reload();
        return withdrawn == 1;
    }

    /** A new key. */
    private String insertNewKey() {
        RSAKey key;
        try {
            key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString())
                    .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        }
        catch (JOSEException e) {
            throw new IllegalStateException("No RSA key could be made", e);
        }
        jdbc.sql("insert into identity.signing_keys (kid, jwk) values (?, ?)")
                .params(key.getKeyID(), key.toJSONString()).update();
        return key.getKeyID();
    }

    private JWKSet all() {
        return new JWKSet(keys().stream().<JWK>map(Key::jwk).toList());
    }

    private List<Key> keys() {
        Loaded now = current();
        if (System.nanoTime() - now.loadedAt() > settings.keyRefresh().toNanos()) {
            now = refresh(now);
        }
        return now.keys();
    }

    private Loaded current() {
        Loaded now = loaded;
        return now != null ? now : refresh(null);
    }

    /**
     * Reads the keys again, unless another thread just did. If they cannot be read (the database
     * away for a moment), the keys in memory hold and the next attempt waits a few seconds: tokens
     * keep being checked and signed; without any keys in memory, the failure is the caller's.
     */
    private synchronized Loaded refresh(Loaded seen) {
        if (loaded != null && loaded != seen) {
            return loaded;
        }
        try {
            return reload();
        }
        catch (RuntimeException e) {
            if (loaded == null) {
                throw e;
            }
            log.warn("The signing keys could not be read again; the {} in memory hold: {}", loaded.keys().size(),
                    e.toString());
            loaded = new Loaded(loaded.keys(), System.nanoTime() - settings.keyRefresh().toNanos()
                    + RETRY_AFTER_FAILURE.toNanos());
            return loaded;
        }
    }

    private synchronized Loaded reload() {
        List<Key> keys = read();
        Instant newest = keys.stream().map(Key::createdAt).max(Comparator.naturalOrder()).orElse(Instant.MIN);
        if (keys.isEmpty() || newest.isBefore(Instant.now().minus(settings.keyRotation()))) {
            insertNewKey();
            keys = read();
        }
        // A key is no longer needed once a newer one has signed for longer than a token lives, with room
        // for an instance that read the keys late and for clocks that disagree.
        Duration needed = settings.tokenLifetime().plus(settings.publishAhead()).plus(settings.keyRefresh())
                .plus(Duration.ofMinutes(1));
        Instant signingSince = Instant.now().minus(needed);
        if (keys.stream().skip(1).anyMatch(key -> key.createdAt().isBefore(signingSince))) {
            jdbc.sql("""
                    delete from identity.signing_keys old
                    where exists (select 1 from identity.signing_keys newer
                                  where newer.created_at > old.created_at
                                    and newer.created_at < now() - make_interval(secs => ?))""")
                    .param((double) needed.toSeconds())
                    .update();
            keys = read();
        }
        loaded = new Loaded(keys, System.nanoTime());
        return loaded;
    }

    private List<Key> read() {
        return jdbc.sql("select jwk, created_at from identity.signing_keys order by created_at")
                .query((row, number) -> {
                    try {
                        return new Key(RSAKey.parse(row.getString("jwk")),
                                row.getTimestamp("created_at").toInstant());
                    }
                    catch (ParseException e) {
                        throw new IllegalStateException("A signing key in identity.signing_keys cannot be read", e);
                    }
                })
                .list();
    }
}
