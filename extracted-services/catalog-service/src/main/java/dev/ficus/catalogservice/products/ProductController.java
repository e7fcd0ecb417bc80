package dev.ficus.catalogservice.products;

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

/** The shop's catalog API, path for path; its contract is the catalog-contract test suite. */
@RestController
@RequestMapping("/api/catalog/products")
class ProductController {

    /** Browsers and edge caches may keep a product briefly and revalidate it with its ETag. */
    private static final CacheControl PRODUCT_CACHING = CacheControl.maxAge(Duration.ofSeconds(30)).cachePublic();

    private final ProductService products;

    ProductController(ProductService products) {
        this.products = products;
    }

    @PostMapping
    ResponseEntity<Product> create(@Valid @RequestBody NewProduct product) {
        Product created = products.create(product);
        return ResponseEntity.created(URI.create("/api/catalog/products/" + created.id())).body(created);
    }

    @GetMapping("/{id}")
    ResponseEntity<Product> byId(@PathVariable UUID id) {
        return cacheable(products.findById(id).orElseThrow(() -> new ProductNotFound(id)));
    }

    @GetMapping("/sku/{sku}")
    ResponseEntity<Product> bySku(@PathVariable String sku) {
        return cacheable(products.findBySku(sku).orElseThrow(() -> new ProductNotFound(sku)));
    }

    @GetMapping
    ProductPage search(
            @RequestParam(required = false) @Size(max = 100) String q,
            @RequestParam(required = false) @Size(max = 60) String category,
            @RequestParam(required = false) Boolean active,
            @RequestParam(defaultValue = "0") @Min(0) @Max(100_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
        return products.search(new ProductFilter(q, category, active), page, size);
    }

    @PutMapping("/{id}")
    Product update(@PathVariable UUID id, @Valid @RequestBody ProductDetails details) {
        return products.update(id, details);
    }

    @PutMapping("/{id}/price")
    Product changePrice(@PathVariable UUID id, @Valid @RequestBody Money price) {
        return products.changePrice(id, price);
    }

    @PostMapping("/{id}/deactivate")
    Product deactivate(@PathVariable UUID id) {
        return products.deactivate(id);
    }

    /**
     * The ETag is the shop's: id, version and a hash of every value as served, so that any change,
     * even one made in SQL, changes it. A matching If-None-Match is answered with 304 by Spring MVC.
     */
    private static ResponseEntity<Product> cacheable(Product product) {
        String etag = "\"" + product.id() + "-" + product.version() + "-"
                + Integer.toHexString(product.hashCode()) + "\"";
        return ResponseEntity.ok().eTag(etag).cacheControl(PRODUCT_CACHING).body(product);
    }
}
