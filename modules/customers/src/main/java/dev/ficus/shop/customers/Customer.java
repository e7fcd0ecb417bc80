package dev.ficus.shop.customers;

import java.time.Instant;
import java.util.UUID;

/** A customer's profile. */
public record Customer(
        UUID id,
        String email,
        String name,
        String phone,
        Instant createdAt,
        Instant updatedAt,
        long version) {
}
