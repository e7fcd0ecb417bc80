/**
 * Inventory: how many of each SKU the shop holds and which are promised to someone.
 * It reserves stock for any {@link dev.ficus.shop.inventory.StockReservationRequest} published
 * in the application and answers with {@link dev.ficus.shop.inventory.StockReserved} or
 * {@link dev.ficus.shop.inventory.StockShortage}. It depends on no other module: requesters
 * (such as orders) conform to its contract, so the event flow has no cycle.
 */
@ApplicationModule(displayName = "Inventory", allowedDependencies = {})
package dev.ficus.shop.inventory;

import org.springframework.modulith.ApplicationModule;
