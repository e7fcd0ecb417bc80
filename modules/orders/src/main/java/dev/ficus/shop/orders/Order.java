package dev.ficus.shop.orders;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An order as placed, with the prices it was placed at.
 *
 * @param statusReason why it was rejected; empty otherwise
 */
public record Order(
        UUID id,
        UUID customerId,
        OrderStatus status,
        String statusReason,
        List<OrderLine> lines,
        BigDecimal total,
        String currency,
        Instant placedAt,
        Instant updatedAt) {

    public record OrderLine(String sku, String productName, int quantity, BigDecimal unitPrice) {
    }
}
