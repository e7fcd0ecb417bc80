package dev.ficus.shop.inventory;

import java.util.Optional;
import java.util.UUID;

/**
 * Reserving stock for a {@link StockReservationRequest}. The inventory's own listener serves every
 * request through this interface's bean, so an application may put a router in front of it (to
 * let an extracted service serve some requests instead).
 */
public interface StockReservations {

    /**
     * Reserves every requested unit or none, once per reference, and publishes
     * {@link StockReserved} or {@link StockShortage}; a repeated reference gets the decision made
     * before and publishes nothing. Empty when the request is served elsewhere (by a router's
     * choice), which then publishes the answer.
     */
    Optional<ReservationDecision> reserve(StockReservationRequest request);

    /** The decision made for a reference, if one was made here. */
    Optional<ReservationDecision> decisionFor(UUID reference);
}
