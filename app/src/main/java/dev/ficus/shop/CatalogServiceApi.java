package dev.ficus.shop;

import java.util.UUID;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.annotation.PostExchange;
import org.springframework.web.service.annotation.PutExchange;

import dev.ficus.shop.catalog.Money;
import dev.ficus.shop.catalog.NewProduct;
import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.catalog.ProductDetails;
import dev.ficus.shop.catalog.ProductPage;

/** catalog-service's HTTP API, as a Spring HTTP interface (the same paths as the catalog module's). */
@HttpExchange("/api/catalog/products")
interface CatalogServiceApi {

    @PostExchange
    Product create(@RequestBody NewProduct product);

    @PutExchange("/{id}")
    Product update(@PathVariable UUID id, @RequestBody ProductDetails details);

    @PutExchange("/{id}/price")
    Product changePrice(@PathVariable UUID id, @RequestBody Money price);

    @PostExchange("/{id}/deactivate")
    Product deactivate(@PathVariable UUID id);

    @GetExchange("/{id}")
    Product findById(@PathVariable UUID id);

    @GetExchange("/sku/{sku}")
    Product findBySku(@PathVariable String sku);

    @GetExchange
    ProductPage search(@RequestParam(required = false) String q, @RequestParam(required = false) String category,
            @RequestParam(required = false) Boolean active, @RequestParam int page, @RequestParam int size);
}
