package dev.ficus.shop.inventory;

import java.util.List;
import java.util.UUID;

/**
 * What the inventory decided for one request.
 *
 * @param reserved    every line was reserved; else nothing was
 * @param missingSkus the SKUs that lacked stock, in SKU order; empty when reserved
 */
public record ReservationDecision(UUID reference, boolean reserved, List<String> missingSkus) {

    public ReservationDecision {
        missingSkus = List.copyOf(missingSkus);
    }
}
