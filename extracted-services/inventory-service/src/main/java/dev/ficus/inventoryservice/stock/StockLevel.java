package dev.ficus.inventoryservice.stock;

/**
 * @param onHand    units on the shelf
 * @param reserved  units promised to accepted reservations
 * @param available units that can still be reserved
 */
record StockLevel(String sku, int onHand, int reserved, int available) {
}
