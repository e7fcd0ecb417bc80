package dev.ficus.toolkit.messaging;

/** Acts on an event, in the transaction that also records its id in the inbox. */
@FunctionalInterface
public interface EventHandler {

    /**
     * @throws Exception to have the message delivered again later (and, after
     *                   {@code ficus.messaging.consumers.delivery-limit} deliveries, dead-lettered);
     *                   nothing of the transaction is kept
     */
    void handle(ReceivedEvent event) throws Exception;
}
