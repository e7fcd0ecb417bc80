package dev.ficus.shop.customers.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

import dev.ficus.toolkit.identity.AccessRules;

/**
 * Who may use the customers' API: anyone signs up; a profile is read and changed by a
 * {@code customer} only, and only their own (the controller answers 404 for any other).
 */
@Configuration(proxyBeanMethods = false)
class CustomersAccess {

    @Bean
    AccessRules customersAccessRules() {
        return requests -> requests
                .requestMatchers(HttpMethod.POST, "/api/customers").permitAll()
                .requestMatchers("/api/customers/**").hasRole("CUSTOMER");
    }
}
