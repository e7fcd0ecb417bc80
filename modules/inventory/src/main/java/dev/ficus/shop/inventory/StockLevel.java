package dev.ficus.shop.inventory;

/**
 * @param onHand    units on the shelf
 * @param reserved  units promised to accepted reservations
 * @param available units that can still be reserved
 */
public record StockLevel(String sku, int onHand, int reserved, int available) {
}
