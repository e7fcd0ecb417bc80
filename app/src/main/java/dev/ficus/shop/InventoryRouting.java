package dev.ficus.shop;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.ficus.shop.inventory.ReservationDecision;
import dev.ficus.shop.inventory.StockReservationRequest;
import dev.ficus.shop.inventory.StockReservations;
import dev.ficus.shop.inventory.StockReserved;
import dev.ficus.shop.inventory.StockShortage;
import dev.ficus.shop.orders.OrderPlaced;
import dev.ficus.toolkit.messaging.EventRoutes;
import dev.ficus.toolkit.messaging.EventSubscription;
import dev.ficus.toolkit.messaging.Outbox;
import dev.ficus.toolkit.routing.Route;
import dev.ficus.toolkit.routing.Routers;

/**
 * Reservations routed between the inventory module and inventory-service, order by order, as the
 * flags of {@code inventory-reservations} say (see {@code ficus.messaging} in application.yaml):
 * each order's route is decided in the transaction that places it; orders routed to the service
 * (or shadowed by it) leave through the outbox as {@code OrderPlaced}, and the service's answers
 * come back as the inventory's own events.
 */
@Configuration(proxyBeanMethods = false)
class InventoryRouting {

    static final String CAPABILITY = "inventory-reservations";

    /** The module serves the orders routed to it, and no other. */
    @Bean
    @Primary
    StockReservations routedStockReservations(@Qualifier("inventoryService") StockReservations module,
            EventRoutes routes, PlatformTransactionManager transactions) {
        return new RoutedReservations(module, routes, new TransactionTemplate(transactions));
    }

    /** What the service answers: its decisions for the orders routed to it, and its shadow decisions. */
    @Bean
    EventSubscription inventoryAnswers(ApplicationEventPublisher events,
            @Qualifier("inventoryService") StockReservations module, Routers routers, JsonMapper json) {
        return new EventSubscription("shop-inventory-answers",
                Set.of("StockReserved", "StockShortage", "ReservationShadowed"), event -> {
                    switch (event.type()) {
                        case "StockReserved" -> events.publishEvent(event.payload(StockReserved.class, json));
                        case "StockShortage" -> events.publishEvent(event.payload(StockShortage.class, json));
                        default -> {
                            ReservationDecision service = event.payload(ReservationDecision.class, json);
                            // Not decided here yet: the message comes again after a pause.
                            ReservationDecision here = module.decisionFor(service.reference()).orElseThrow(
                                    () -> new IllegalStateException("The module has not decided order "
                                            + service.reference() + " yet"));
                            routers.compareShadow(CAPABILITY, "reserve " + service.reference(), here, service);
                        }
                    }
                });
    }

    /** Decides each order's route as it is placed, and sends the service the orders it acts on or shadows. */
    @Component
    static class Placements {

        private final EventRoutes routes;
        private final Outbox outbox;

        Placements(EventRoutes routes, Outbox outbox) {
            this.routes = routes;
            this.outbox = outbox;
        }

        /** In the transaction that places the order, so the route is recorded with it. */
        @EventListener
        void on(OrderPlaced placed) {
            Route route = routes.decide(CAPABILITY, placed.orderId().toString());
            if (route != Route.MONOLITH) {
                outbox.publish("OrderPlaced", 1, placed.orderId().toString(), placed,
                        Map.of(EventRoutes.ROUTE_HEADER, route.name()));
            }
        }
    }

    private record RoutedReservations(StockReservations module, EventRoutes routes, TransactionTemplate transactions)
            implements StockReservations {

        @Override
        public Optional<ReservationDecision> reserve(StockReservationRequest request) {
            String key = request.reservationReference().toString();
            if (routes.routeOf(CAPABILITY, key) == Route.EXTRACTED) {
                return Optional.empty();
            }
            return transactions.execute(status -> {
                Optional<ReservationDecision> decision = module.reserve(request);
                routes.actedOn(CAPABILITY, key);
                return decision;
            });
        }

        @Override
        public Optional<ReservationDecision> decisionFor(java.util.UUID reference) {
            return module.decisionFor(reference);
        }
    }
}
