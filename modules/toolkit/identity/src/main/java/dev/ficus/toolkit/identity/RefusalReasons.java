package dev.ficus.toolkit.identity;

import java.util.Locale;

import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.core.AuthenticationException;

/**
 * Why a token was refused, in a few fixed words (a metric tag), read off Spring Security's
 * description of the failure.
 */
final class RefusalReasons {

    /** How a token is refused whose issuer's keys cannot be fetched just now. */
    static final String KEY_UNAVAILABLE = "The issuer's keys cannot be had just now";

    private RefusalReasons() {
    }

    static String of(AuthenticationException refused) {
        if (refused instanceof InsufficientAuthenticationException) {
            return "missing";
        }
        String message = String.valueOf(refused.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains(BoundedBearerTokenResolver.OVERSIZED.toLowerCase(Locale.ROOT))) {
            return "oversized";
        }
        if (message.contains("expired")) {
            return "expired";
        }
        if (message.contains("exp claim")) {
            return "no-expiry";
        }
        if (message.contains(KEY_UNAVAILABLE.toLowerCase(Locale.ROOT))) {
            return "key-unavailable";
        }
        if (message.contains("no matching key")) {
            return "unknown-key";
        }
        if (message.contains("used before")) {
            return "not-yet-valid";
        }
        if (message.contains("signature")) {
            return "signature";
        }
        if (message.contains("aud claim") || message.contains("audience")) {
            return "audience";
        }
        if (message.contains("iss claim") || message.contains("issuer")) {
            return "issuer";
        }
        if (message.contains("alg") || message.contains("unsupported")) {
            return "algorithm";
        }
        if (message.contains("bad credentials") || message.contains("bad-credentials")) {
            return "bad-credentials";
        }
        return "malformed";
    }
}
