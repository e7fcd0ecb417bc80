package dev.ficus.shop;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.ficus.contracts.inventory.InventoryEvents;
import dev.ficus.shop.inventory.ReservationDecision;
import dev.ficus.shop.inventory.StockReserved;
import dev.ficus.shop.inventory.StockShortage;
import dev.ficus.shop.orders.OrderPlaced;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shop's side of the inventory event contract: what it publishes keeps to the schemas, and
 * what inventory-service publishes reads into the module's own types without losing a field.
 */
class InventoryEventContractTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theOrdersTheShopPublishesKeepToTheContract() {
        OrderPlaced placed = new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(),
                List.of(new OrderPlaced.Item("SKU-0001", 2), new OrderPlaced.Item("SKU-0042", 1)));

        assertThat(InventoryEvents.violations("OrderPlaced", 1, JSON.writeValueAsString(placed))).isEmpty();
    }

    @Test
    void theHandoverTheToolkitPublishesKeepsToTheContract() {
        String handover = JSON.writeValueAsString(Map.of("capability", InventoryRouting.CAPABILITY, "route", "EXTRACTED"));

        assertThat(InventoryEvents.violations("RouteHandedOver", 1, handover)).isEmpty();
    }

    @Test
    void theServicesAnswersReadIntoTheInventorysOwnEvents() {
        roundTrips("StockReserved", StockReserved.class);
        roundTrips("StockShortage", StockShortage.class);
        roundTrips("ReservationShadowed", ReservationDecision.class);
    }

    private static void roundTrips(String type, Class<?> readAs) {
        String example = InventoryEvents.example(type, 1);
        String again = JSON.writeValueAsString(JSON.readValue(example, readAs));
        assertThat(JSON.readTree(again)).as(type + " read as " + readAs.getSimpleName()).isEqualTo(JSON.readTree(example));
        assertThat(InventoryEvents.violations(type, 1, again)).isEmpty();
    }
}
