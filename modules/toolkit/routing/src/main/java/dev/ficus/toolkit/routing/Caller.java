package dev.ficus.toolkit.routing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.getunleash.UnleashContext;

/**
 * Who a call is made for, as far as routing flags care: a gradual rollout is sticky per user, else
 * per session. Any of them may be null; routers take a caller with neither for the background
 * caller ({@code ficus.routing.context.background-id}).
 */
public record Caller(String userId, String sessionId, String remoteAddress) {

    public static final Caller ANONYMOUS = new Caller(null, null, null);

    /**
     * This caller as routing sees it: blank ids are absent, ids longer than {@code maxLength}
     * characters are replaced by their SHA-256 (64 hex digits), and a caller with neither user nor
     * session is the background caller.
     */
    Caller identified(String background, int maxLength) {
        String user = bounded(userId, maxLength);
        String session = bounded(sessionId, maxLength);
        String address = bounded(remoteAddress, maxLength);
        if (user == null && session == null) {
            session = background;
        }
        if (user == userId && session == sessionId && address == remoteAddress) {
            return this;
        }
        return new Caller(user, session, address);
    }

    /**
     * Unleash's {@code userId} is the identity a rollout is sticky to: the user, else the session.
     * Flags therefore use the stickiness {@code userId}.
     */
    UnleashContext toUnleashContext() {
        UnleashContext.Builder context = UnleashContext.builder();
        String identity = userId != null ? userId : sessionId;
        if (identity != null) {
            context.userId(identity);
        }
        if (sessionId != null) {
            context.sessionId(sessionId);
        }
        if (remoteAddress != null) {
            context.remoteAddress(remoteAddress);
        }
        return context.build();
    }

    private static String bounded(String id, int maxLength) {
        if (id == null || id.isBlank()) {
            return null;
        }
        return id.length() <= maxLength ? id : sha256(id);
    }

    static String sha256(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(id.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256", e);
        }
    }
}
