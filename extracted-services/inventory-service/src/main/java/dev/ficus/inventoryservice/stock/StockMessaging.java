package dev.ficus.inventoryservice.stock;

import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.ficus.inventoryservice.stock.Events.OrderPlaced;
import dev.ficus.toolkit.messaging.EventRoutes;
import dev.ficus.toolkit.messaging.EventSubscription;
import dev.ficus.toolkit.messaging.ReceivedEvent;

/**
 * What the service consumes: the shop's orders, each acted on as its route says, and the shop's
 * word that it handed the reservations over.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StockMessaging.Settings.class)
class StockMessaging {

    private static final Logger log = LoggerFactory.getLogger(StockMessaging.class);

    /** @param capability the shop's routed capability whose events this service acts on */
    @ConfigurationProperties("ficus.inventory-service")
    record Settings(@DefaultValue("inventory-reservations") String capability) {
    }

    /**
     * An order routed here waits, at the head of its partition, until the stock is this service's:
     * until the handover, the shop's inventory may still be serving the orders routed to it before.
     */
    @Bean
    EventSubscription orders(Reservations reservations, Ownership ownership, JsonMapper json) {
        return new EventSubscription("inventory-service", Set.of(Events.ORDER_PLACED), event -> {
            OrderPlaced order = event.payload(OrderPlaced.class, json);
            String route = event.header(EventRoutes.ROUTE_HEADER);
            if ("SHADOW".equals(route)) {
                reservations.shadow(order);
            }
            else if ("EXTRACTED".equals(route)) {
                reservations.reserve(order);
            }
            else {
                log.warn("Order {} came with route {}: the shop serves it, nothing to do", order.orderId(), route);
            }
        }).holdingUntil(event -> !"EXTRACTED".equals(event.header(EventRoutes.ROUTE_HEADER)) || ownership.writesHere());
    }

    /**
     * On its own queues, so that no order waiting for it stands in front of it; told once, it is
     * retried until the stock is taken over (the replication may first have to catch up).
     */
    @Bean
    EventSubscription handover(Ownership ownership, Settings settings) {
        return new EventSubscription("inventory-service-handover", Set.of(EventRoutes.HANDED_OVER),
                (ReceivedEvent event) -> {
                    if (settings.capability().equals(event.key())) {
                        log.info("The shop handed {} over; taking the stock over", settings.capability());
                        ownership.takeOver();
                    }
                }).withDeliveryLimit(EventSubscription.UNTIL_IT_GOES_THROUGH);
    }
}
