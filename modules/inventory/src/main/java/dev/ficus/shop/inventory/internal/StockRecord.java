package dev.ficus.shop.inventory.internal;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

import dev.ficus.shop.inventory.StockLevel;

/** A row of {@code inventory.stock}: one per SKU ever stocked. */
@Table(schema = "inventory", name = "stock")
class StockRecord {

    @Id
    private String sku;
    private int onHand;
    private int reserved;
    @Version
    private Long version;

    static StockRecord empty(String sku) {
        StockRecord stock = new StockRecord();
        stock.sku = sku;
        return stock;
    }

    String sku() {
        return sku;
    }

    int available() {
        return onHand - reserved;
    }

    void add(int quantity) {
        onHand = Math.addExact(onHand, quantity);
    }

    void reserve(int quantity) {
        if (quantity > available()) {
            throw new IllegalStateException("Only " + available() + " of " + sku + " available");
        }
        reserved += quantity;
    }

    StockLevel toLevel() {
        return new StockLevel(sku, onHand, reserved, available());
    }
}
