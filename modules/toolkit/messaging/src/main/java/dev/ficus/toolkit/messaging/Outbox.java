package dev.ficus.toolkit.messaging;

import java.util.Map;
import java.util.UUID;

/**
 * Events leaving the application: each is written into the outbox table in the transaction that
 * caused it, so it leaves if and only if that transaction commits, and the relay publishes it to
 * RabbitMQ after the commit, in commit order.
 */
public interface Outbox {

    /**
     * Writes an event into the outbox, in the current transaction.
     *
     * @param type    what happened, e.g. {@code OrderPlaced}: consumers subscribe to types
     * @param version the version of the type's contract
     * @param key     what the event is about (an order id): the events of one key stay in order
     * @param payload serialized as JSON
     * @param headers carried along as message headers (besides the trace context, added here)
     * @return the event's id, its message id on the broker
     * @throws IllegalStateException if no transaction is active
     */
    UUID publish(String type, int version, String key, Object payload, Map<String, String> headers);

    /** As {@link #publish(String, int, String, Object, Map)}, without headers of its own. */
    default UUID publish(String type, int version, String key, Object payload) {
        return publish(type, version, key, payload, Map.of());
    }
}
