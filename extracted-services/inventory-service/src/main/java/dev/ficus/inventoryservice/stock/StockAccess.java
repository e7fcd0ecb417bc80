package dev.ficus.inventoryservice.stock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

import dev.ficus.toolkit.identity.AccessRules;

/** Who may use the stock API, as in the shop's inventory module: anyone reads; restocking needs {@code catalog-admin}. */
@Configuration(proxyBeanMethods = false)
class StockAccess {

    @Bean
    AccessRules stockAccessRules() {
        return requests -> requests
                .requestMatchers(HttpMethod.GET, "/api/inventory/**").permitAll()
                .requestMatchers(HttpMethod.HEAD, "/api/inventory/**").permitAll()
                .requestMatchers("/api/inventory/**").hasRole("CATALOG_ADMIN");
    }
}
