package dev.ficus.catalogservice.products;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

import dev.ficus.toolkit.identity.AccessRules;

/**
 * Who may use the catalog's API, as in the shop's catalog module: anyone reads it; creating and
 * changing products needs the role {@code catalog-admin}. The contract suite's authorization
 * matrix fails the build if the two ever differ.
 */
@Configuration(proxyBeanMethods = false)
class ProductAccess {

    @Bean
    AccessRules productAccessRules() {
        return requests -> requests
                .requestMatchers(HttpMethod.GET, "/api/catalog/**").permitAll()
                .requestMatchers(HttpMethod.HEAD, "/api/catalog/**").permitAll()
                .requestMatchers("/api/catalog/**").hasRole("CATALOG_ADMIN");
    }
}
