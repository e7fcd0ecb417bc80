package dev.ficus.inventoryservice.stock;

import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.ficus.inventoryservice.stock.Events.OrderPlaced;
import dev.ficus.inventoryservice.stock.Events.ReservationShadowed;
import dev.ficus.inventoryservice.stock.Events.StockReserved;
import dev.ficus.inventoryservice.stock.Events.StockShortage;
import dev.ficus.toolkit.messaging.Outbox;

/**
 * Reserves all items of an order or none, once per order, and says which through the outbox; or,
 * for an order the shop's own inventory serves, only works out what it would have decided.
 */
@Service
class Reservations {

    private static final Logger log = LoggerFactory.getLogger(Reservations.class);

    private final Shelves shelves;
    private final Outbox outbox;
    private final Ownership ownership;

    Reservations(Shelves shelves, Outbox outbox, Ownership ownership) {
        this.shelves = shelves;
        this.outbox = outbox;
        this.ownership = ownership;
    }

    /**
     * In the transaction of the message: reserves, records the decision and publishes it. An
     * order decided before publishes nothing again.
     */
    @Transactional
    void reserve(OrderPlaced order) {
        if (!ownership.writesHere()) {
            throw new IllegalStateException("Stock is still the shop's: order " + order.orderId() + " waits for the handover");
        }
        if (shelves.decision(order.orderId()).isPresent()) {
            log.debug("Order {} was decided before", order.orderId());
            return;
        }
        Map<String, Integer> wanted = order.wanted();
        List<String> missing = Shelves.missing(wanted, shelves.levels(wanted.keySet(), true));
        if (missing.isEmpty()) {
            wanted.forEach(shelves::reserve);
        }
        shelves.decide(order.orderId(), missing);
        if (missing.isEmpty()) {
            outbox.publish(Events.STOCK_RESERVED, 1, order.orderId().toString(), new StockReserved(order.orderId()));
        }
        else {
            outbox.publish(Events.STOCK_SHORTAGE, 1, order.orderId().toString(),
                    new StockShortage(order.orderId(), missing));
        }
    }

    /**
     * What this service would decide for an order the shop serves, from the copy of the shop's
     * stock, without writing any of it. The copy may hold the shop's own reservation for this
     * order already: its units are counted back as available.
     */
    @Transactional
    void shadow(OrderPlaced order) {
        Map<String, Integer> wanted = order.wanted();
        Map<String, StockLevel> levels = shelves.levels(wanted.keySet(), false);
        boolean reservedBefore = shelves.decision(order.orderId()).map(Shelves.Decision::reserved).orElse(false);
        if (reservedBefore) {
            wanted.forEach((sku, quantity) -> levels.computeIfPresent(sku, (key, level) -> new StockLevel(sku,
                    level.onHand(), level.reserved() - quantity, level.available() + quantity)));
        }
        List<String> missing = Shelves.missing(wanted, levels);
        outbox.publish(Events.RESERVATION_SHADOWED, 1, order.orderId().toString(),
                new ReservationShadowed(order.orderId(), missing.isEmpty(), missing));
    }
}
