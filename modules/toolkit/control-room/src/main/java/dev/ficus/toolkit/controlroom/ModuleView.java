package dev.ficus.toolkit.controlroom;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.ficus.toolkit.routing.Route;

/**
 * One module as the control room shows it.
 *
 * @param name         the module's name
 * @param phase        where the module is as a whole: MONOLITH, SHADOW, CANARY, PARTLY_EXTRACTED (some
 *                     capabilities extracted, the others not yet shared out) or EXTRACTED
 * @param serviceShare while CANARY, the largest share (percent) of users a capability sends to the service
 * @param capabilities its routed capabilities
 * @param service      its extracted service as last seen; null if it has none
 * @param readiness    whether it is ready to cut over, and why not
 */
public record ModuleView(String name, String phase, int serviceShare, List<Capability> capabilities,
        @Nullable Service service, ReadinessReport readiness) {

    /**
     * @param flag         where its flags are changed, on the flag server; null if none is configured
     * @param matchPercent the share of shadow comparisons that matched; null before the first
     */
    public record Capability(String name, Route route, int serviceShare, String circuit, boolean writes,
            long shadowMatches, long shadowMismatches, @Nullable Double matchPercent, long fallbacks,
            List<Mismatch> recentMismatches, @Nullable URI flag) {
    }

    /** A shadow call the two sides answered differently, field by field. */
    public record Mismatch(String call, Instant at, List<FieldDifference> fields) {
    }

    /** A field (a JSON pointer) and its value on each side; {@code (absent)} where a side lacks it. */
    public record FieldDifference(String field, String monolith, String service) {
    }

    /**
     * An extracted service's replication as last fetched.
     *
     * @param error why it could not be asked; null if it answered
     */
    public record Service(String name, URI url, @Nullable String error, Instant seenAt, @Nullable String phase,
            @Nullable String state, @Nullable Duration staleness, @Nullable Duration lastLag,
            long pendingDeadLetters, List<DeadLetter> deadLetters, @Nullable Reconciliation lastReconciliation) {
    }

    public record DeadLetter(long id, String table, String error, @Nullable Instant failedAt) {
    }

    /** @param mismatches rows missing, unexpected or different over every table */
    public record Reconciliation(Instant startedAt, long mismatches, boolean streamCaughtUp) {
    }
}
