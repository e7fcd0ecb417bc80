package dev.ficus.shop.orders.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.ficus.toolkit.identity.AccessRules;

/**
 * Who may use the orders' API: a {@code customer} only, placing orders for themselves and reading
 * their own (the controller refuses an order for someone else, and answers 404 for theirs).
 */
@Configuration(proxyBeanMethods = false)
class OrdersAccess {

    @Bean
    AccessRules ordersAccessRules() {
        return requests -> requests.requestMatchers("/api/orders", "/api/orders/**").hasRole("CUSTOMER");
    }
}
