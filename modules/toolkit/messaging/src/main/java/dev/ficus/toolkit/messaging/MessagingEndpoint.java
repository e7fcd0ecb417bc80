package dev.ficus.toolkit.messaging;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import dev.ficus.toolkit.cdc.ChangeStream;

/**
 * {@code /actuator/messaging}: the relay's state, the event routes, each consumer's dead letters and
 * the unrouted messages; a POST to {@code /actuator/messaging/{consumer}} replays that consumer's
 * dead letters, to {@code /actuator/messaging/unrouted} publishes the unrouted messages again.
 */
@Endpoint(id = "messaging")
class MessagingEndpoint {

    static final String UNROUTED = "unrouted";

    private final EventDeadLetters deadLetters;
    private final RelayStream relay;
    private final EventRoutes routes;

    MessagingEndpoint(EventDeadLetters deadLetters, RelayStream relay, EventRoutes routes) {
        this.deadLetters = deadLetters;
        this.relay = relay;
        this.routes = routes;
    }

    @ReadOperation
    Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        if (relay != null) {
            ChangeStream stream = relay.stream();
            Map<String, Object> relayStatus = new LinkedHashMap<>();
            relayStatus.put("state", stream.state());
            stream.lastError().ifPresent(error -> relayStatus.put("lastError", error));
            stream.currentAsOf().ifPresent(current -> relayStatus.put("currentAsOf", current));
            status.put("relay", relayStatus);
        }
        if (routes != null) {
            status.put("routes", routes.states());
        }
        status.put("deadLetters", deadLetters.counts());
        status.put("unrouted", deadLetters.unrouted());
        return status;
    }

    /** {@code unrouted} publishes the unrouted messages again; any other name replays that consumer's dead letters. */
    @WriteOperation
    Map<String, Object> replay(@Selector String consumer) {
        if (UNROUTED.equals(consumer)) {
            return Map.of("republished", deadLetters.republishUnrouted());
        }
        return Map.of("consumer", consumer, "replayed", deadLetters.replay(consumer));
    }
}
