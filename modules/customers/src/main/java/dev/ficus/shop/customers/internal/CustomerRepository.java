package dev.ficus.shop.customers.internal;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.repository.ListCrudRepository;

interface CustomerRepository extends ListCrudRepository<CustomerRecord, UUID> {

    Optional<CustomerRecord> findByEmail(String email);
}
