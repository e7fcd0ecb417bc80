package dev.ficus.shop.catalog;

/**
 * Which products to list: every criterion is optional; results are ordered by SKU.
 *
 * @param text     part of the name or SKU, case-insensitive
 * @param category exact category
 * @param active   only active (true) or only deactivated (false) products
 * @param page     zero-based page number
 * @param size     products per page
 */
public record ProductSearch(String text, String category, Boolean active, int page, int size) {

    public ProductSearch {
        if (page < 0 || size < 1) {
            throw new IllegalArgumentException("page must be >= 0 and size >= 1");
        }
    }
}
