package dev.ficus.shop;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.annotation.PostExchange;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

import dev.ficus.shop.inventory.Inventory;
import dev.ficus.shop.inventory.ReservationDecision;
import dev.ficus.shop.inventory.StockLevel;
import dev.ficus.shop.inventory.StockReservationRequest;
import dev.ficus.shop.inventory.StockReservations;
import dev.ficus.shop.inventory.StockReserved;
import dev.ficus.shop.inventory.StockShortage;
import dev.ficus.shop.orders.OrderPlaced;
import dev.ficus.toolkit.identity.TokenRelay;
import dev.ficus.toolkit.problems.Problems;
import dev.ficus.toolkit.messaging.EventRoutes;
import dev.ficus.toolkit.messaging.EventSubscription;
import dev.ficus.toolkit.messaging.Outbox;
import dev.ficus.toolkit.routing.ExtractedServiceFailed;
import dev.ficus.toolkit.routing.Route;
import dev.ficus.toolkit.routing.Routers;

/**
 * Reservations routed between the inventory module and inventory-service, order by order, as the
 * flags of {@code inventory-reservations} say (see {@code ficus.messaging} in application.yaml):
 * each order's route is decided in the transaction that places it; orders routed to the service
 * (or shadowed by it) leave through the outbox as {@code OrderPlaced}, and the service's answers
 * come back as the inventory's own events. Once the service took the stock over, stock levels and
 * restocks go to it too.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(InventoryRouting.InventoryServiceSettings.class)
class InventoryRouting {

    static final String CAPABILITY = "inventory-reservations";

    /**
     * @param url            inventory-service's base URL
     * @param connectTimeout longest wait for a connection
     * @param readTimeout    longest wait for an answer
     */
    @ConfigurationProperties("ficus.inventory-service")
    record InventoryServiceSettings(
            @DefaultValue("http://127.0.0.1:8084") String url,
            @DefaultValue("500ms") Duration connectTimeout,
            @DefaultValue("3s") Duration readTimeout) {
    }

    /** inventory-service's stock API (the same paths as the inventory module's). */
    @HttpExchange("/api/inventory/stock")
    interface InventoryServiceApi {

        @GetExchange("/{sku}")
        StockLevel stockOf(@PathVariable String sku);

        @PostExchange("/{sku}/restock")
        StockLevel restock(@PathVariable String sku, @RequestBody Map<String, Integer> restock);
    }

    /** The stock is read and restocked where it lives: in the module until the handover, in the service after it. */
    @Bean
    @Primary
    Inventory routedInventory(@Qualifier("inventoryService") Inventory module, EventRoutes routes,
            RestClient.Builder builder, TokenRelay identity, InventoryServiceSettings settings) {
        InventoryServiceApi service = HttpServiceProxyFactory.builderFor(RestClientAdapter.create(
                        ServiceClients.to(builder, identity, settings.url(), settings.connectTimeout(), settings.readTimeout())
                                .build()))
                .build().createClient(InventoryServiceApi.class);
        return new StockWhereItLives(module, service, new HandedOver(routes));
    }

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

    private record StockWhereItLives(Inventory module, InventoryServiceApi service, HandedOver handedOver)
            implements Inventory {

        /** The shop's own copy is fenced and frozen: without the service there is no answer (503). */
        @Override
        public StockLevel stockOf(String sku) {
            if (!handedOver.now()) {
                return module.stockOf(sku);
            }
            try {
                return service.stockOf(sku);
            }
            catch (RestClientException e) {
                throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                        "Stock levels live in inventory-service now, and it does not answer", e);
            }
        }

        @Override
        public StockLevel restock(String sku, int quantity) {
            if (!handedOver.now()) {
                return module.restock(sku, quantity);
            }
            try {
                return service.restock(sku, Map.of("quantity", quantity));
            }
            catch (HttpClientErrorException.Unauthorized | HttpClientErrorException.Forbidden refused) {
                // The service refused the caller (a token that expired on the way, say): theirs to fix.
                throw new ErrorResponseException(HttpStatus.FORBIDDEN, Problems.of(HttpStatus.FORBIDDEN, "forbidden",
                        "inventory-service refused this restock to the caller"), refused);
            }
            catch (RestClientException e) {
                throw new ExtractedServiceFailed("inventory-stock", e);
            }
        }
    }

    /** Whether the service has been told to take the stock over; asked of the database at most once a second. */
    private static final class HandedOver {

        private final EventRoutes routes;
        private volatile boolean known;
        private volatile long checkedAt = System.nanoTime() - Duration.ofSeconds(1).toNanos();

        HandedOver(EventRoutes routes) {
            this.routes = routes;
        }

        boolean now() {
            // Once handed over, always: the route never turns back (see EventRoutes).
            if (!known && System.nanoTime() - checkedAt >= Duration.ofSeconds(1).toNanos()) {
                known = routes.handedOverAt(CAPABILITY).isPresent();
                checkedAt = System.nanoTime();
            }
            return known;
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
