package dev.ficus.shop.catalog;

import java.util.List;

/** One page of a product search. */
public record ProductPage(List<Product> items, int page, int size, long totalItems, int totalPages) {
}
