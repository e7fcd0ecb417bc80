package dev.ficus.toolkit.routing;

import io.getunleash.UnleashContext;

/**
 * Who a call is made for, as far as routing flags care: a gradual rollout is sticky per user,
 * else per session, else per address. Any of them may be null.
 */
public record Caller(String userId, String sessionId, String remoteAddress) {

    public static final Caller ANONYMOUS = new Caller(null, null, null);

    UnleashContext toUnleashContext() {
        UnleashContext.Builder context = UnleashContext.builder();
        if (userId != null) {
            context.userId(userId);
        }
        if (sessionId != null) {
            context.sessionId(sessionId);
        }
        if (remoteAddress != null) {
            context.remoteAddress(remoteAddress);
        }
        return context.build();
    }
}
