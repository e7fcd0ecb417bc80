package dev.ficus.shop.inventory.web;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.ficus.shop.inventory.Inventory;
import dev.ficus.shop.inventory.StockLevel;

@RestController
@RequestMapping("/api/inventory/stock")
class InventoryController {

    private static final String SKU = "[A-Z0-9][A-Z0-9-]{2,39}";

    private final Inventory inventory;

    InventoryController(Inventory inventory) {
        this.inventory = inventory;
    }

    @GetMapping("/{sku}")
    StockLevel stock(@PathVariable @Pattern(regexp = SKU, message = "must be a SKU") String sku) {
        return inventory.stockOf(sku);
    }

    @PostMapping("/{sku}/restock")
    StockLevel restock(@PathVariable @Pattern(regexp = SKU, message = "must be a SKU") String sku,
            @Valid @RequestBody Restock restock) {
        return inventory.restock(sku, restock.quantity());
    }

    /** @param quantity units added to the shelf */
    record Restock(@Positive @Max(1_000_000) int quantity) {
    }
}
