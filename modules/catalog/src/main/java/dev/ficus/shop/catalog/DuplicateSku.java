package dev.ficus.shop.catalog;

/** Another product already has this SKU. */
public class DuplicateSku extends RuntimeException {

    public DuplicateSku(String sku) {
        super("A product with SKU " + sku + " exists already");
    }
}
