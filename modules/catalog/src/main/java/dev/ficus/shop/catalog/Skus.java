package dev.ficus.shop.catalog;

/** The shape of a stock keeping unit, shared by every module that names products by SKU. */
public final class Skus {

    public static final String PATTERN = "[A-Z0-9][A-Z0-9-]{2,39}";

    public static final String MESSAGE = "must be 3 to 40 upper-case letters, digits and dashes";

    private Skus() {
    }
}
