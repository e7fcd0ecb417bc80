package dev.ficus.catalogservice.products;

import java.util.List;

/** Listing products by a filter, in SKU order, a page at a time. */
interface ProductSearches {

    long countMatching(ProductFilter filter);

    /** @param page zero-based */
    List<ProductRow> findMatching(ProductFilter filter, int page, int size);
}
