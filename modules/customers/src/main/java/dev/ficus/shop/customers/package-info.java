/**
 * Customers: the profiles of the people who buy, read far more often than they change.
 * Its API is {@link dev.ficus.shop.customers.Customers} and the records beside it.
 */
@ApplicationModule(displayName = "Customers", allowedDependencies = {})
package dev.ficus.shop.customers;

import org.springframework.modulith.ApplicationModule;
