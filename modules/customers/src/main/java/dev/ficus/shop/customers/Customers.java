package dev.ficus.shop.customers;

import java.util.Optional;
import java.util.UUID;

/** What other modules and the web adapter may ask of customer profiles. */
public interface Customers {

    /** @throws DuplicateEmail if another customer has registered that address */
    Customer register(CustomerProfile profile);

    /** @throws CustomerNotFound if there is no such customer */
    Customer update(UUID id, CustomerProfile profile);

    Optional<Customer> findById(UUID id);
}
