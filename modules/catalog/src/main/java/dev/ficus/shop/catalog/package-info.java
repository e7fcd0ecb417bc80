/**
 * Catalog: the products the shop sells, their prices and whether they can still be ordered.
 * Its API is {@link dev.ficus.shop.catalog.Catalog} and the records and events beside it.
 */
@ApplicationModule(displayName = "Catalog", allowedDependencies = {})
package dev.ficus.shop.catalog;

import org.springframework.modulith.ApplicationModule;
