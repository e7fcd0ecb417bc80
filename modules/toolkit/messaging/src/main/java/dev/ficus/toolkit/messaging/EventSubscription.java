package dev.ficus.toolkit.messaging;

import java.util.Set;
import java.util.function.Predicate;

/**
 * Declares, as a bean, that {@code handler} consumes the events of {@code types}: from a queue
 * per partition named {@code <exchange>.<consumer>.<partition>}, one instance of the application at
 * a time per partition, each message once.
 *
 * @param consumer      names the queues, the inbox entries and the dead letters; keep it stable
 * @param types         the event types consumed
 * @param handler       acts on each event, in the transaction that records it in the inbox
 * @param deliveryLimit deliveries of a message that keeps failing before it is dead-lettered; 0 for
 *                      {@code ficus.messaging.consumers.delivery-limit}
 * @param ready         whether the application can act on an event now; until it can, the event
 *                      waits at the head of its partition (no transaction open, no delivery
 *                      counted), and so do the events behind it
 */
public record EventSubscription(String consumer, Set<String> types, EventHandler handler, int deliveryLimit,
        Predicate<ReceivedEvent> ready) {

    /** Deliveries enough for a message that must go through eventually: retried for days, never dead-lettered. */
    public static final int UNTIL_IT_GOES_THROUGH = 1_000_000;

    public EventSubscription {
        if (!consumer.matches("[a-z][a-z0-9.-]{0,99}")) {
            throw new IllegalArgumentException("A consumer is named in lower case, digits, . and -, not '" + consumer + "'");
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException(consumer + " consumes no event type");
        }
        if (deliveryLimit < 0) {
            throw new IllegalArgumentException("A delivery limit is 0 (the default) or more, not " + deliveryLimit);
        }
        types = Set.copyOf(types);
    }

    /** A subscription with the configured delivery limit, ready for every event at once. */
    public EventSubscription(String consumer, Set<String> types, EventHandler handler) {
        this(consumer, types, handler, 0, event -> true);
    }

    /** This subscription with another delivery limit, e.g. {@link #UNTIL_IT_GOES_THROUGH}. */
    public EventSubscription withDeliveryLimit(int limit) {
        return new EventSubscription(consumer, types, handler, limit, ready);
    }

    /** This subscription, holding each event until {@code condition} holds for it. */
    public EventSubscription holdingUntil(Predicate<ReceivedEvent> condition) {
        return new EventSubscription(consumer, types, handler, deliveryLimit, condition);
    }
}
