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

    Optional<Order> findById(UUID id);
}
