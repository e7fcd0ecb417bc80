package dev.ficus.shop.inventory;

import java.util.List;
import java.util.UUID;

/** Nothing was reserved for this reference: these SKUs lack stock. */
public record StockShortage(UUID reference, List<String> missingSkus) {
}
