package dev.ficus.toolkit.routing;

/**
 * A flag as last known: on or off in this environment, and the share of users its gradual
 * rollout lets in (100 when it has no rollout, 0 when it is off or unknown).
 */
public record FlagState(boolean defined, boolean enabled, int rollout) {

    static final FlagState UNKNOWN = new FlagState(false, false, 0);

    boolean reachesAnyone() {
        return enabled && rollout > 0;
    }
}
