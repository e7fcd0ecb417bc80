package dev.ficus.shop.orders;

/** PENDING until the inventory answers; then CONFIRMED (stock reserved) or REJECTED. */
public enum OrderStatus {
    PENDING, CONFIRMED, REJECTED
}
