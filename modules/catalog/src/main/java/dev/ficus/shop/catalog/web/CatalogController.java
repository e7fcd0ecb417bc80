package dev.ficus.shop.catalog.web;

import java.net.URI;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.ficus.shop.catalog.Catalog;
import dev.ficus.shop.catalog.Money;
import dev.ficus.shop.catalog.NewProduct;
import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.catalog.ProductDetails;
import dev.ficus.shop.catalog.ProductNotFound;
import dev.ficus.shop.catalog.ProductPage;
import dev.ficus.shop.catalog.ProductSearch;

@RestController
@RequestMapping("/api/catalog/products")
class CatalogController {

    private final Catalog catalog;

    CatalogController(Catalog catalog) {
        this.catalog = catalog;
    }

    @PostMapping
    ResponseEntity<Product> create(@Valid @RequestBody NewProduct product) {
        Product created = catalog.create(product);
        return ResponseEntity.created(URI.create("/api/catalog/products/" + created.id())).body(created);
    }

    @GetMapping("/{id}")
    Product byId(@PathVariable UUID id) {
        return catalog.findById(id).orElseThrow(() -> new ProductNotFound(id));
    }

    @GetMapping("/sku/{sku}")
    Product bySku(@PathVariable String sku) {
        return catalog.findBySku(sku).orElseThrow(() -> new ProductNotFound(sku));
    }

    @GetMapping
    ProductPage search(
            @RequestParam(required = false) @Size(max = 100) String q,
            @RequestParam(required = false) @Size(max = 60) String category,
            @RequestParam(required = false) Boolean active,
            @RequestParam(defaultValue = "0") @Min(0) @Max(100_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
        return catalog.search(new ProductSearch(q, category, active, page, size));
    }

    @PutMapping("/{id}")
    Product update(@PathVariable UUID id, @Valid @RequestBody ProductDetails details) {
        return catalog.update(id, details);
    }

    @PutMapping("/{id}/price")
    Product changePrice(@PathVariable UUID id, @Valid @RequestBody Money price) {
        return catalog.changePrice(id, price);
    }

    @PostMapping("/{id}/deactivate")
    Product deactivate(@PathVariable UUID id) {
        return catalog.deactivate(id);
    }
}
