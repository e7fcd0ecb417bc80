package dev.ficus.catalogservice.products;

/**
 * Which products a search lists; every criterion is optional.
 *
 * @param text     part of the name or SKU, case-insensitive and literal ({@code %} and {@code _} are
 *                 no wildcards); blank matches every product
 * @param category the exact category; blank matches every category
 * @param active   only active (true) or only withdrawn (false) products; null matches both
 */
record ProductFilter(String text, String category, Boolean active) {
}
