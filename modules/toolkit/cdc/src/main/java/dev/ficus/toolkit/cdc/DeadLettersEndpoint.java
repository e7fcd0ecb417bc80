package dev.ficus.toolkit.cdc;

import java.util.List;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code GET /actuator/deadletters} lists the oldest pending dead letters; {@code POST
 * /actuator/deadletters} replays them all, {@code POST /actuator/deadletters/{id}} one and those
 * waiting behind it.
 */
@Endpoint(id = "deadletters")
class DeadLettersEndpoint {

    static final int LISTED = 100;

    private final DeadLetters deadLetters;

    DeadLettersEndpoint(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** @param shown the oldest pending dead letters, at most {@value #LISTED} */
    record Pending(long pending, List<DeadLetters.DeadLetter> shown) {
    }

    @ReadOperation
    Pending pending() {
        return new Pending(deadLetters.pendingCount(), deadLetters.pending(LISTED));
    }

    @WriteOperation
    DeadLetters.Replay replayAll() {
        return deadLetters.replayAll();
    }

    @WriteOperation
    DeadLetters.Replay replay(@Selector long id) {
        return deadLetters.replay(id);
    }
}
