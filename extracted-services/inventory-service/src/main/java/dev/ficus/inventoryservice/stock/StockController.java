package dev.ficus.inventoryservice.stock;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The shop's stock API (same paths, JSON and errors): levels always, restocks once the stock is this service's. */
@RestController
@RequestMapping("/api/inventory/stock")
class StockController {

    private static final String SKU = "[A-Z0-9][A-Z0-9-]{2,39}";

    private final Shelves shelves;
    private final Ownership ownership;

    StockController(Shelves shelves, Ownership ownership) {
        this.shelves = shelves;
        this.ownership = ownership;
    }

    @GetMapping("/{sku}")
    StockLevel stock(@PathVariable @Pattern(regexp = SKU, message = "must be a SKU") String sku) {
        return shelves.level(sku);
    }

    @PostMapping("/{sku}/restock")
    @Transactional
    StockLevel restock(@PathVariable @Pattern(regexp = SKU, message = "must be a SKU") String sku,
            @Valid @RequestBody Restock restock) {
        ownership.requireWritesHere();
        return shelves.restock(sku, restock.quantity());
    }

    /** @param quantity units added to the shelf */
    record Restock(@Positive @Max(1_000_000) int quantity) {
    }
}
