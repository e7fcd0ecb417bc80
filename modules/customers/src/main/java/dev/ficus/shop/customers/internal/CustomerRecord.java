package dev.ficus.shop.customers.internal;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

import dev.ficus.shop.customers.Customer;
import dev.ficus.shop.customers.CustomerProfile;

/** A row of {@code customers.customers}. */
@Table(schema = "customers", name = "customers")
class CustomerRecord {

    @Id
    private UUID id;
    private String email;
    private String name;
    private String phone;
    private Instant createdAt;
    private Instant updatedAt;
    @Version
    private Long version;

    static CustomerRecord register(CustomerProfile profile, Instant now) {
        CustomerRecord record = new CustomerRecord();
        record.id = UUID.randomUUID();
        record.createdAt = now;
        record.update(profile, now);
        return record;
    }

    void update(CustomerProfile profile, Instant now) {
        email = normalizedEmail(profile.email());
        name = profile.name().strip();
        phone = profile.phone();
        updatedAt = now;
    }

    static String normalizedEmail(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    UUID id() {
        return id;
    }

    String email() {
        return email;
    }

    Customer toCustomer() {
        return new Customer(id, email, name, phone, createdAt, updatedAt, version);
    }
}
