package dev.ficus.toolkit.messaging;

import java.util.Map;

/** The messages each consumer gave up on, and the way back for them. */
public interface EventDeadLetters {

    /** How many messages wait in each consumer's dead letters. */
    Map<String, Long> counts();

    /**
     * Moves a consumer's dead letters back to the queues they came from, where they are delivered
     * again (behind the messages waiting there); one at a time, each taken out only once the broker confirmed it is back.
     *
     * @return how many were moved
     * @throws IllegalArgumentException if the application has no such consumer
     */
    int replay(String consumer);

    /** Messages no consumer's queue took (none was bound for their type and partition), kept by the exchange. */
    long unrouted();

    /**
     * Publishes the unrouted messages to the exchange again, once their consumers are there; one at a
     * time, each taken out only once the broker confirmed it.
     *
     * @return how many were published
     */
    int republishUnrouted();
}
