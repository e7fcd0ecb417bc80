package dev.ficus.toolkit.cdc;

import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code GET /actuator/deadletters} lists pending dead letters; {@code POST /actuator/deadletters}
 * replays them all, {@code POST /actuator/deadletters/{id}} one.
 */
@Endpoint(id = "deadletters")
class DeadLettersEndpoint {

    private final DeadLetters deadLetters;

    DeadLettersEndpoint(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @ReadOperation
    List<DeadLetters.DeadLetter> pending() {
        return deadLetters.pending();
    }

    @WriteOperation
    Map<String, Object> replayAll() {
        int replayed = deadLetters.replayAll();
        return Map.of("replayed", replayed, "pending", deadLetters.pending().size());
    }

    @WriteOperation
    Map<String, Object> replay(@Selector long id) {
        return Map.of("id", id, "replayed", deadLetters.replay(id));
    }
}
