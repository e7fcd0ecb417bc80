package dev.ficus.shop.orders.internal;

import java.math.BigDecimal;

import org.springframework.data.relational.core.mapping.Table;

import dev.ficus.shop.orders.Order.OrderLine;

/** A row of {@code orders.order_lines}: what was bought, at which price. */
@Table(schema = "orders", name = "order_lines")
record OrderLineRecord(String sku, String productName, int quantity, BigDecimal unitPrice) {

    BigDecimal lineTotal() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }

    OrderLine toLine() {
        return new OrderLine(sku, productName, quantity, unitPrice);
    }
}
