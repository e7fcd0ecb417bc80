package dev.ficus.shop.catalog;

import java.util.UUID;

/** Published when a product's price changes. */
public record ProductPriceChanged(UUID productId, String sku, Money oldPrice, Money newPrice) {
}
