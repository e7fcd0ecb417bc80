package dev.ficus.contracts.inventory;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InventoryEventsTests {

    static final java.util.List<String> TYPES = InventoryEvents.TYPES;

    @ParameterizedTest
    @FieldSource("TYPES")
    void eachExampleKeepsToItsSchema(String typeAndVersion) {
        String type = typeAndVersion.substring(0, typeAndVersion.indexOf(".v"));
        int version = Integer.parseInt(typeAndVersion.substring(typeAndVersion.indexOf(".v") + 2));

        assertThat(InventoryEvents.violations(type, version, InventoryEvents.example(type, version))).isEmpty();
    }

    /** What a drift on either side looks like: a renamed field, a missing one, a wrong type. */
    @Test
    void aDocumentThatDriftedFromTheSchemaIsRefused() {
        assertThat(InventoryEvents.violations("StockReserved", 1, "{\"orderId\":\"5f0c2b1e-8d3a-4c6e-9b7a-1e2d3c4b5a69\"}"))
                .hasSize(2).anyMatch(violation -> violation.contains("reference"))
                .anyMatch(violation -> violation.contains("orderId"));
        assertThat(InventoryEvents.violations("OrderPlaced", 1,
                "{\"orderId\":\"5f0c2b1e-8d3a-4c6e-9b7a-1e2d3c4b5a69\",\"customerId\":\"x\",\"items\":[{\"sku\":\"SKU-0001\",\"quantity\":\"2\"}]}"))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(InventoryEvents.violations("StockShortage", 1,
                "{\"reference\":\"5f0c2b1e-8d3a-4c6e-9b7a-1e2d3c4b5a69\",\"missingSkus\":[]}")).isNotEmpty();
    }

    @Test
    void anUnknownTypeHasNoContract() {
        assertThatThrownBy(() -> InventoryEvents.example("OrderShipped", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
