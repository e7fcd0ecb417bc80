package dev.ficus.shop.catalog.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.util.DigestUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

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
    ResponseEntity<Product> byId(@PathVariable UUID id, WebRequest request) {
        return cacheable(catalog.findById(id).orElseThrow(() -> new ProductNotFound(id)), request);
    }

    @GetMapping("/sku/{sku}")
    ResponseEntity<Product> bySku(@PathVariable String sku, WebRequest request) {
        return cacheable(catalog.findBySku(sku).orElseThrow(() -> new ProductNotFound(sku)), request);
    }

    /**
     * Product reads may be held by browsers and edge caches for a short while, and revalidated
     * cheaply: the ETag is a digest of the product as served, so any change (even one made in SQL)
     * changes it, and a matching If-None-Match is answered 304 without a body.
     */
    private static ResponseEntity<Product> cacheable(Product product, WebRequest request) {
        String etag = "\"" + DigestUtils.md5DigestAsHex(product.toString().getBytes(StandardCharsets.UTF_8)) + "\"";
        if (request.checkNotModified(etag)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).cacheControl(PRODUCT_CACHING).build();
        }
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
