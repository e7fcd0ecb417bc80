package dev.ficus.toolkit.messaging;

import java.util.Set;

/**
 * Declares, as a bean, that {@code handler} consumes the events of {@code types}: from a queue
 * per partition named {@code <exchange>.<consumer>.<partition>}, one instance of the application at a time per
 * partition, each message once.
 *
 * @param consumer names the queues, the inbox entries and the dead letters; keep it stable
 * @param types    the event types consumed
 */
public record EventSubscription(String consumer, Set<String> types, EventHandler handler) {

    public EventSubscription {
        if (!consumer.matches("[a-z][a-z0-9.-]{0,99}")) {
            throw new IllegalArgumentException("A consumer is named in lower case, digits, . and -, not '" + consumer + "'");
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException(consumer + " consumes no event type");
        }
        types = Set.copyOf(types);
    }
}
