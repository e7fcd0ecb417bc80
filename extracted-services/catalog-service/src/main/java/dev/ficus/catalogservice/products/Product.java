package dev.ficus.catalogservice.products;

import java.time.Instant;
import java.util.UUID;

/** A product as the API answers it; field names and order are the shop's. */
record Product(
        UUID id,
        String sku,
        String name,
        String description,
        Money price,
        String category,
        boolean active,
        Instant createdAt,
        Instant updatedAt,
        long version) {
}
