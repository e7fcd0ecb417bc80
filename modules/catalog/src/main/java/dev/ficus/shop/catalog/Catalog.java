package dev.ficus.shop.catalog;

import java.util.Optional;
import java.util.UUID;

/**
 * What other modules and the web adapter may ask of the catalog. Every change runs in one
 * transaction together with the events it publishes.
 */
public interface Catalog {

    /** @throws DuplicateSku if a product with that SKU exists already */
    Product create(NewProduct product);

    /** @throws ProductNotFound if there is no such product */
    Product update(UUID id, ProductDetails details);

    /** Publishes {@link ProductPriceChanged} when the price really changes. */
    Product changePrice(UUID id, Money price);

    /** Publishes {@link ProductDeactivated} the first time; deactivating again changes nothing. */
    Product deactivate(UUID id);

    Optional<Product> findById(UUID id);

    Optional<Product> findBySku(String sku);

    ProductPage search(ProductSearch search);
}
