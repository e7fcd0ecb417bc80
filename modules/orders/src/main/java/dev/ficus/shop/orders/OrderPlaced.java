package dev.ficus.shop.orders;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.ficus.shop.inventory.StockReservationRequest;

/** Published when an order is placed; asks the inventory to reserve its lines. */
public record OrderPlaced(UUID orderId, UUID customerId, List<Item> items) implements StockReservationRequest {

    public record Item(String sku, int quantity) {
    }

    @Override
    public UUID reservationReference() {
        return orderId;
    }

    @Override
    public Map<String, Integer> requestedQuantities() {
        return items.stream().collect(Collectors.toMap(Item::sku, Item::quantity, Integer::sum));
    }
}
