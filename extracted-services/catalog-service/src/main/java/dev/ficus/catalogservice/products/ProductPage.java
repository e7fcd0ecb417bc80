package dev.ficus.catalogservice.products;

import java.util.List;

/** One page of a search; {@code page} is zero-based. */
record ProductPage(List<Product> items, int page, int size, long totalItems, int totalPages) {
}
