package dev.ficus.catalogservice.products;

/** No product has the given id or SKU. */
class ProductNotFound extends RuntimeException {

    ProductNotFound(Object idOrSku) {
        super("No product " + idOrSku);
    }
}
