package dev.ficus.shop.customers;

import java.util.UUID;

/** There is no customer with the given id. */
public class CustomerNotFound extends RuntimeException {

    public CustomerNotFound(UUID id) {
        super("No customer " + id);
    }
}
