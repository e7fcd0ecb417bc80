package dev.ficus.toolkit.messaging;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import dev.ficus.toolkit.routing.Route;

/**
 * Who acts on each event of a routed capability: the module ({@link Route#MONOLITH}, or
 * {@link Route#SHADOW} while the service decides alongside without committing) or the extracted
 * service ({@link Route#EXTRACTED}). Decided once per event, in the transaction that publishes it,
 * from a route all instances share in the database: every event is acted on by exactly one side,
 * whenever the flags change.
 *
 * <p>The route follows the capability's flags ({@code <capability>.shadow},
 * {@code <capability>.extracted}; the latter counts only at 100 %). When it turns to the service,
 * new events go there at once, and once the module has acted on every event routed to it, a
 * {@code RouteHandedOver} event (key: the capability) tells the service it may take over the data
 * (see the guide on extracting an event-driven context). Once an event went to the service, the
 * route does not turn back: that event is the service's to serve, and only the service can once it
 * owns the data.
 */
public interface EventRoutes {

    /** The event type that tells a service the module acted on its last event. */
    String HANDED_OVER = "RouteHandedOver";

    /** The header that carries an event's route to the service: {@code SHADOW} or {@code EXTRACTED}. */
    String ROUTE_HEADER = "ficus-route";

    /**
     * Decides who acts on the event with this key and records it, in the current transaction;
     * for a key decided before, the recorded route.
     *
     * @throws IllegalStateException    if no transaction is active
     * @throws IllegalArgumentException if the capability is not routed by events
     */
    Route decide(String capability, String key);

    /** The route recorded for this key; {@link Route#MONOLITH} for an event decided before routing. */
    Route routeOf(String capability, String key);

    /** Records, in the module's transaction, that the module acted on this event. */
    void actedOn(String capability, String key);

    /** Each capability's route now. */
    Map<String, State> states();

    /** When the service was told to take the capability's data over; empty before (or if not routed). */
    Optional<Instant> handedOverAt(String capability);

    /**
     * @param route         where new events go
     * @param switchedAt    since when
     * @param pendingHere   events routed to the module it has not acted on yet
     * @param handedOverAt  when the service was told the module is done (null before)
     */
    record State(Route route, Instant switchedAt, long pendingHere, Instant handedOverAt) {
    }
}
