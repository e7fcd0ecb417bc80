package dev.ficus.shop.inventory.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.ficus.shop.inventory.Inventory;
import dev.ficus.shop.inventory.ReservationDecision;
import dev.ficus.shop.inventory.StockLevel;
import dev.ficus.shop.inventory.StockReservationRequest;
import dev.ficus.shop.inventory.StockReservations;
import dev.ficus.shop.inventory.StockReserved;
import dev.ficus.shop.inventory.StockShortage;

@Service
@Transactional
class InventoryService implements Inventory, StockReservations {

    private static final Logger log = LoggerFactory.getLogger(InventoryService.class);

    private final StockRepository stock;
    private final ReservationRepository reservations;
    private final ApplicationEventPublisher events;

    InventoryService(StockRepository stock, ReservationRepository reservations, ApplicationEventPublisher events) {
        this.stock = stock;
        this.reservations = reservations;
        this.events = events;
    }

    @Override
    @Transactional(readOnly = true)
    public StockLevel stockOf(String sku) {
        return stock.findById(sku).orElseGet(() -> StockRecord.empty(sku)).toLevel();
    }

    @Override
    public StockLevel restock(String sku, int quantity) {
        if (quantity < 1) {
            throw new IllegalArgumentException("Restock at least one unit");
        }
        StockRecord record = stock.findById(sku).orElseGet(() -> StockRecord.empty(sku));
        record.add(quantity);
        return stock.save(record).toLevel();
    }

    @Override
    public Optional<ReservationDecision> reserve(StockReservationRequest request) {
        Optional<ReservationDecision> earlier = decisionFor(request.reservationReference());
        if (earlier.isPresent()) {
            log.debug("Reservation {} was answered before; ignoring the repeated request",
                    request.reservationReference());
            return earlier;
        }
        Map<String, Integer> wanted = new TreeMap<>(request.requestedQuantities());
        Map<String, StockRecord> shelves = stock.findBySkuInOrderBySku(wanted.keySet()).stream()
                .collect(Collectors.toMap(StockRecord::sku, Function.identity()));
        List<String> missing = new ArrayList<>();
        wanted.forEach((sku, quantity) -> {
            StockRecord shelf = shelves.get(sku);
            if (shelf == null || shelf.available() < quantity) {
                missing.add(sku);
            }
        });
        if (missing.isEmpty()) {
            wanted.forEach((sku, quantity) -> shelves.get(sku).reserve(quantity));
            stock.saveAll(shelves.values());
            reservations.save(ReservationRecord.reserved(request.reservationReference()));
            events.publishEvent(new StockReserved(request.reservationReference()));
        }
        else {
            reservations.save(ReservationRecord.shortage(request.reservationReference(), missing));
            events.publishEvent(new StockShortage(request.reservationReference(), List.copyOf(missing)));
        }
        return Optional.of(new ReservationDecision(request.reservationReference(), missing.isEmpty(), missing));
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<ReservationDecision> decisionFor(UUID reference) {
        return reservations.findById(reference).map(ReservationRecord::toDecision);
    }
}
