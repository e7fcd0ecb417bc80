package dev.ficus.shop.catalog;

import java.util.UUID;

/** Published when a product is withdrawn: it can no longer be ordered. */
public record ProductDeactivated(UUID productId, String sku) {
}
