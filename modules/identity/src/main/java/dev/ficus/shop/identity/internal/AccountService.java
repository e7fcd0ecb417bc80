package dev.ficus.shop.identity.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.ficus.shop.identity.AccessToken;
import dev.ficus.shop.identity.Accounts;
import dev.ficus.shop.identity.LoginRefused;
import dev.ficus.shop.identity.NewAccount;
import dev.ficus.toolkit.identity.IdentityClaims;
import dev.ficus.toolkit.identity.IdentityProperties;
import dev.ficus.toolkit.identity.ServiceIdentity;

/**
 * Accounts in {@code identity.accounts}, passwords hashed with bcrypt, and the tokens issued for
 * them: RS256 JWTs naming the issuer, the API as audience, the subject, its roles and, for a
 * customer, the customer id. The shop's own token, for calls made outside any request, is issued
 * here too and used until a minute before it expires.
 */
@Service
class AccountService implements Accounts, ServiceIdentity {

    private record Account(String username, String passwordHash, Set<String> roles, UUID customerId) {
    }

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final JwtEncoder encoder;
    private final SigningKeys keys;
    private final IdentityProperties identity;
    private final IssuingProperties settings;
    /** Compared against when no account has the username, so that a miss takes as long as a wrong password. */
    private final String unknownUserHash;
    private volatile Issued serviceToken;

    private record Issued(String token, String kid, Instant refreshAt) {
    }

    AccountService(JdbcClient jdbc, JwtEncoder encoder, SigningKeys keys,
            IdentityProperties identity, IssuingProperties settings) {
        this.jdbc = jdbc;
        // Not a bean: Spring Boot would then take the operations user's password for a hash.
        this.passwords = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        this.encoder = encoder;
        this.keys = keys;
        this.identity = identity;
        this.settings = settings;
        this.unknownUserHash = passwords.encode(UUID.randomUUID().toString());
    }

    @Override
    @Transactional
    public void openAll(Collection<NewAccount> accounts) {
        Map<String, String> hashes = new HashMap<>();
        for (NewAccount account : accounts) {
            jdbc.sql("""
                    insert into identity.accounts (username, password_hash, roles, customer_id)
                    values (?, ?, ?, ?) on conflict (username) do nothing""")
                    .params(account.username(), hashes.computeIfAbsent(account.password(), passwords::encode),
                            String.join(",", new TreeSet<>(account.roles())), account.customerId())
                    .update();
        }
    }

    @Override
    public AccessToken login(String username, String password) {
        Optional<Account> account = find(username);
        String hash = account.map(Account::passwordHash).orElse(unknownUserHash);
        if (password == null || !passwords.matches(password, hash) || account.isEmpty()) {
            throw new LoginRefused();
        }
        return issue(account.get().username(), account.get().roles(), account.get().customerId());
    }

    @Override
    public String token() {
        Issued issued = serviceToken;
        // A new one before it expires, or once another key signs (the old one may have been withdrawn).
        if (issued == null || Instant.now().isAfter(issued.refreshAt())
                || !issued.kid().equals(keys.signing().getKeyID())) {
            String kid = keys.signing().getKeyID();
            AccessToken token = issue(settings.serviceSubject(), settings.serviceRoles(), null);
            issued = new Issued(token.accessToken(), kid, Instant.now().plusSeconds(Math.max(token.expiresIn() - 60,
                    token.expiresIn() / 2)));
            serviceToken = issued;
        }
        return issued.token();
    }

    AccessToken issue(String subject, Set<String> roles, UUID customerId) {
        Instant now = Instant.now();
        JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
                .issuer(identity.issuer())
                .audience(List.of(identity.audience()))
                .subject(subject)
                .issuedAt(now)
                .notBefore(now)
                .expiresAt(now.plus(settings.tokenLifetime()))
                .id(UUID.randomUUID().toString())
                .claim(IdentityClaims.ROLES, List.copyOf(new TreeSet<>(roles)));
        if (customerId != null) {
            claims.claim(IdentityClaims.CUSTOMER_ID, customerId.toString());
        }
        JwsHeader header = JwsHeader.with(SignatureAlgorithm.RS256).keyId(keys.signing().getKeyID()).type("JWT").build();
        String token = encoder.encode(JwtEncoderParameters.from(header, claims.build())).getTokenValue();
        return new AccessToken(token, "Bearer", settings.tokenLifetime().toSeconds());
    }

    private Optional<Account> find(String username) {
        if (username == null || username.length() > 254 || username.chars().anyMatch(Character::isISOControl)) {
            return Optional.empty();
        }
        return jdbc.sql("select username, password_hash, roles, customer_id from identity.accounts where username = ?")
                .param(username)
                .query((row, number) -> new Account(row.getString("username"), row.getString("password_hash"),
                        Set.copyOf(Arrays.asList(row.getString("roles").split(","))),
                        row.getObject("customer_id", UUID.class)))
                .optional();
    }
}
