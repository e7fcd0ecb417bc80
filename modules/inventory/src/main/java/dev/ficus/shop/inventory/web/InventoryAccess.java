package dev.ficus.shop.inventory.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

import dev.ficus.toolkit.identity.AccessRules;

/** Who may use the inventory's API: anyone reads stock levels; restocking needs the role {@code catalog-admin}. */
@Configuration(proxyBeanMethods = false)
class InventoryAccess {

    @Bean
    AccessRules inventoryAccessRules() {
        return requests -> requests
                .requestMatchers(HttpMethod.GET, "/api/inventory/**").permitAll()
                .requestMatchers(HttpMethod.HEAD, "/api/inventory/**").permitAll()
                .requestMatchers("/api/inventory/**").hasRole("CATALOG_ADMIN");
    }
}
