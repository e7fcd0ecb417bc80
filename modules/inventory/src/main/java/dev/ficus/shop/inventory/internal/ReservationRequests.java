package dev.ficus.shop.inventory.internal;

import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import dev.ficus.shop.inventory.StockReservationRequest;
import dev.ficus.shop.inventory.StockReservations;

/**
 * Serves every reservation request published in the application, through whichever
 * {@link StockReservations} the application provides (the inventory's own, or a router in front of
 * it). Runs after the requester's transaction committed, in its own; if it fails the publication
 * stays incomplete and is delivered again, and a request already answered is skipped.
 */
@Component
class ReservationRequests {

    private final StockReservations reservations;

    ReservationRequests(StockReservations reservations) {
        this.reservations = reservations;
    }

    @ApplicationModuleListener
    void on(StockReservationRequest request) {
        reservations.reserve(request);
    }
}
