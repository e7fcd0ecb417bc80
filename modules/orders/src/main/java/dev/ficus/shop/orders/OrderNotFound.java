package dev.ficus.shop.orders;

import java.util.UUID;

/** There is no order with the given id. */
public class OrderNotFound extends RuntimeException {

    public OrderNotFound(UUID id) {
        super("No order " + id);
    }
}
