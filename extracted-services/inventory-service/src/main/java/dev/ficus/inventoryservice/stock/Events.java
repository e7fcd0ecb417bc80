package dev.ficus.inventoryservice.stock;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** The events of the inventory contract, as this service reads and writes them. */
final class Events {

    private Events() {
    }

    static final String ORDER_PLACED = "OrderPlaced";
    static final String STOCK_RESERVED = "StockReserved";
    static final String STOCK_SHORTAGE = "StockShortage";
    static final String RESERVATION_SHADOWED = "ReservationShadowed";

    /** The shop placed an order; the items of one SKU may come in several lines. */
    record OrderPlaced(UUID orderId, UUID customerId, List<Item> items) {

        record Item(String sku, int quantity) {
        }

        /** Units wanted per SKU, in SKU order: the order in which stock rows are locked. */
        Map<String, Integer> wanted() {
            Map<String, Integer> wanted = new TreeMap<>();
            items.forEach(item -> wanted.merge(item.sku(), item.quantity(), Integer::sum));
            return wanted;
        }
    }

    record StockReserved(UUID reference) {
    }

    record StockShortage(UUID reference, List<String> missingSkus) {
    }

    /** What this service would have decided for an order the shop serves itself. */
    record ReservationShadowed(UUID reference, boolean reserved, List<String> missingSkus) {
    }
}
