package dev.ficus.toolkit.identity;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * The claims a Ficus token carries beside the registered ones, and what they mean here: the roles
 * ({@code ["catalog-admin"]}) and, for a customer, the customer it is bound to.
 */
public final class IdentityClaims {

    /** The caller's roles, such as {@code customer}, {@code catalog-admin}, {@code operator}. */
    public static final String ROLES = "roles";

    /** The id of the customer a {@code customer} acts as. */
    public static final String CUSTOMER_ID = "customer_id";

    private IdentityClaims() {
    }

    /** The role {@code catalog-admin} is the authority {@code ROLE_CATALOG_ADMIN}: {@code hasRole("CATALOG_ADMIN")}. */
    public static String authorityOf(String role) {
        return "ROLE_" + role.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The token's roles as authorities; a token without roles (or with a claim that is not a list) has none. */
    public static Collection<GrantedAuthority> authorities(Jwt token) {
        List<String> roles;
        try {
            roles = token.getClaimAsStringList(ROLES);
        }
        catch (IllegalArgumentException notAList) {
            return List.of();
        }
        if (roles == null) {
            return List.of();
        }
        return roles.stream().<GrantedAuthority>map(role -> new SimpleGrantedAuthority(authorityOf(role))).toList();
    }

    /** The customer the caller acts as: none for an anonymous caller, another role, or a malformed claim. */
    public static Optional<UUID> customerId(Jwt token) {
        if (token == null || token.getClaimAsString(CUSTOMER_ID) == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(token.getClaimAsString(CUSTOMER_ID)));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
