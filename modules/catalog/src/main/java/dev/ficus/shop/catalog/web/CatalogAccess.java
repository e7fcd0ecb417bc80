package dev.ficus.shop.catalog.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

import dev.ficus.toolkit.identity.AccessRules;

/**
 * Who may use the catalog's API: anyone reads it; creating and changing products needs the role
 * {@code catalog-admin}. catalog-service states the same rules, and the contract suite's
 * authorization matrix holds both to them.
 */
@Configuration(proxyBeanMethods = false)
class CatalogAccess {

    @Bean
    AccessRules catalogAccessRules() {
        return requests -> requests
                .requestMatchers(HttpMethod.GET, "/api/catalog/**").permitAll()
                .requestMatchers(HttpMethod.HEAD, "/api/catalog/**").permitAll()
                .requestMatchers("/api/catalog/**").hasRole("CATALOG_ADMIN");
    }
}
