package dev.ficus.toolkit.controlroom;

import dev.ficus.toolkit.messaging.EventDeadLetters;

/**
 * Replays a consumer's dead letters from the page; a bean only where the application consumes
 * events, so that the page needs no messaging.
 */
final class EventReplays {

    private final EventDeadLetters deadLetters;

    EventReplays(EventDeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /**
     * What the replay did, in words.
     *
     * @throws IllegalArgumentException if the application has no such consumer
     */
    String replay(String consumer) {
        return "Dead letters of " + consumer + ": " + deadLetters.replay(consumer)
                + " moved back to their queues";
    }
}
