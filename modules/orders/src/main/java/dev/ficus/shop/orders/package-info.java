/**
 * Orders: checkout. Prices come from the catalog, the buyer from customers; a placed order
 * asks the inventory for stock and is confirmed or rejected by its answer.
 */
@ApplicationModule(displayName = "Orders", allowedDependencies = {"catalog", "customers", "inventory"})
package dev.ficus.shop.orders;

import org.springframework.modulith.ApplicationModule;
