package dev.ficus.shop.catalog.web;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

import org.springframework.http.CacheControl;
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

    private static final CacheControl PRODUCT_CACHING = CacheControl.maxAge(Duration.ofSeconds(30)).cachePublic();

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
    ResponseEntity<Product> byId(@PathVariable UUID id) {
        return cacheable(catalog.findById(id).orElseThrow(() -> new ProductNotFound(id)));
    }

    @GetMapping("/sku/{sku}")
    ResponseEntity<Product> bySku(@PathVariable String sku) {
        return cacheable(catalog.findBySku(sku).orElseThrow(() -> new ProductNotFound(sku)));
    }

    /**
     * Product reads may be held by browsers and edge caches for a short while, and revalidated
     * cheaply: the ETag covers every field of the product as served (its id, version and a hash of
     * all its values), so any change, even one made in SQL, changes it; Spring MVC answers a
     * matching If-None-Match with 304 and no body.
     */
    private static ResponseEntity<Product> cacheable(Product product) {
        String etag = "\"" + product.id() + "-" + product.version() + "-"
                + Integer.toHexString(product.hashCode()) + "\"";
        return ResponseEntity.ok().eTag(etag).cacheControl(PRODUCT_CACHING).body(product);
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
