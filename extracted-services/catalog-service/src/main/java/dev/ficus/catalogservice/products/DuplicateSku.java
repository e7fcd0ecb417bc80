package dev.ficus.catalogservice.products;

/** Another product has this SKU already. */
class DuplicateSku extends RuntimeException {

    DuplicateSku(String sku) {
        super("A product with SKU " + sku + " exists already");
    }
}
