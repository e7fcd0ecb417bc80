package dev.ficus.shop.catalog;

import java.time.Instant;
import java.util.UUID;

/** A product as the catalog publishes it. */
public record Product(
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
