package dev.ficus.toolkit.routing;

import java.util.List;

/**
 * Where a capability's calls go now and how it is doing.
 *
 * @param route            the route its flags define
 * @param serviceShare     the share of users (percent) its calls go to the service for
 * @param circuit          the state of the circuit breaker in front of the service
 * @param writes           whether it changes state (never shadowed)
 * @param shadowMatches    shadow comparisons whose answers were the same
 * @param shadowMismatches shadow comparisons whose answers differed
 * @param shadowDropped    shadow calls dropped because the queue was full
 * @param fallbacks        calls the module answered because the service could not
 * @param recentMismatches the latest mismatches, newest first
 */
public record CapabilityStatus(Route route, int serviceShare, String circuit, boolean writes, long shadowMatches,
        long shadowMismatches, long shadowDropped, long fallbacks, List<ShadowMismatch> recentMismatches) {
}
