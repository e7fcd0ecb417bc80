package dev.ficus.shop.customers.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.ficus.shop.customers.Customer;
import dev.ficus.shop.customers.CustomerNotFound;
import dev.ficus.shop.customers.CustomerProfile;
import dev.ficus.shop.customers.Customers;
import dev.ficus.shop.customers.DuplicateEmail;
import dev.ficus.toolkit.cache.CacheAside;
import dev.ficus.toolkit.cache.Caches;

/** Changes run in a transaction each; reads come from the cache and need none. */
@Service
class CustomerService implements Customers {

    private final CustomerRepository customers;
    /** Profiles are read far more often than changed; change data capture evicts what changes. */
    private final CacheAside<UUID, Customer> profiles;

    CustomerService(CustomerRepository customers, Caches caches) {
        this.customers = customers;
        this.profiles = caches.cacheAside("customers", UUID.class,
                id -> customers.findById(id).map(CustomerRecord::toCustomer));
    }

    @Override
    @Transactional
    public Customer register(CustomerProfile profile) {
        ensureEmailFree(profile.email(), null);
        return save(CustomerRecord.register(profile, now()));
    }

    @Override
    @Transactional
    public Customer update(UUID id, CustomerProfile profile) {
        CustomerRecord customer = customers.findById(id).orElseThrow(() -> new CustomerNotFound(id));
        ensureEmailFree(profile.email(), id);
        customer.update(profile, now());
        return save(customer);
    }

    @Override
    public Optional<Customer> findById(UUID id) {
        return profiles.get(id);
    }

    private void ensureEmailFree(String email, UUID owner) {
        customers.findByEmail(CustomerRecord.normalizedEmail(email))
                .filter(existing -> !existing.id().equals(owner))
                .ifPresent(existing -> {
                    throw new DuplicateEmail(existing.email());
                });
    }

    private Customer save(CustomerRecord customer) {
        try {
            Customer saved = customers.save(customer).toCustomer();
            profiles.evictAfterCommit(saved.id());
            return saved;
        }
        catch (RuntimeException e) {
            // Two concurrent registrations of one address: the unique index decides.
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof DuplicateKeyException) {
                    throw new DuplicateEmail(customer.email());
                }
            }
            throw e;
        }
    }

    /** PostgreSQL keeps microseconds: what is returned now must equal what is read back later. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
