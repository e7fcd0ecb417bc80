package dev.ficus.shop.inventory;

import java.util.UUID;

/** Every line of the request with this reference is reserved. */
public record StockReserved(UUID reference) {
}
