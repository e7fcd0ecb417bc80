package dev.ficus.shop.inventory;

import java.util.Map;
import java.util.UUID;

/**
 * An event asking the inventory to reserve stock, all lines or none. Another module's event
 * implements it (orders' {@code OrderPlaced} does); the inventory answers with
 * {@link StockReserved} or {@link StockShortage} carrying the same reference. A reference is
 * served once: delivering the same request again changes nothing.
 */
public interface StockReservationRequest {

    UUID reservationReference();

    /** Units wanted per SKU. */
    Map<String, Integer> requestedQuantities();
}
