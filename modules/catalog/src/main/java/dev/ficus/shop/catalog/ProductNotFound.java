package dev.ficus.shop.catalog;

/** There is no product with the given id or SKU. */
public class ProductNotFound extends RuntimeException {

    public ProductNotFound(Object idOrSku) {
        super("No product " + idOrSku);
    }
}
