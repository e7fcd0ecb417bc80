/**
 * Products: what the catalog sells, their prices and whether they can still be ordered. The
 * controller and its problem advice are the HTTP side, {@link dev.ficus.catalogservice.products.ProductService}
 * holds the rules, the repository the rows of {@code catalog.products}.
 */
package dev.ficus.catalogservice.products;
