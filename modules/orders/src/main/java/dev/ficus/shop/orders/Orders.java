package dev.ficus.shop.orders;

import java.util.Optional;
import java.util.UUID;

/** What other modules and the web adapter may ask of orders. */
public interface Orders {

    /**
     * Places a pending order at today's catalog prices and publishes {@link OrderPlaced}; the
     * inventory's answer later confirms or rejects it.
     *
     * @throws CheckoutRefused if the customer or a product is unknown, or a product cannot be sold
     */
    Order place(PlaceOrder order);

    /**
     * As {@link #place(PlaceOrder)}, once per idempotency key and customer: a request repeating a
     * key answers the order the key placed (however many arrive at once), and a key that placed a
     * different order is refused.
     *
     * @param idempotencyKey the client's key for this request, or null for none
     * @throws CheckoutRefused also with {@link CheckoutRefused.Reason#IDEMPOTENCY_KEY_REUSED}
     */
    Order place(PlaceOrder order, String idempotencyKey);

    Optional<Order> findById(UUID id);
}
