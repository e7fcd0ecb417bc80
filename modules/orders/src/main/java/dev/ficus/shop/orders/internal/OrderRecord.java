package dev.ficus.shop.orders.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.MappedCollection;
import org.springframework.data.relational.core.mapping.Table;

import dev.ficus.shop.orders.Order;
import dev.ficus.shop.orders.OrderPlaced;
import dev.ficus.shop.orders.OrderStatus;

/** A row of {@code orders.orders} with its lines in {@code orders.order_lines}. */
@Table(schema = "orders", name = "orders")
class OrderRecord {

    @Id
    private UUID id;
    private UUID customerId;
    private OrderStatus status;
    private String statusReason;
    private BigDecimal total;
    private String currency;
    private Instant placedAt;
    private Instant updatedAt;
    @MappedCollection(idColumn = "order_id", keyColumn = "line_no")
    private List<OrderLineRecord> lines;
    @Version
    private Long version;

    static OrderRecord place(UUID id, UUID customerId, List<OrderLineRecord> lines, String currency, Instant now) {
        OrderRecord order = new OrderRecord();
        order.id = id;
        order.customerId = customerId;
        order.status = OrderStatus.PENDING;
        order.lines = List.copyOf(lines);
        order.total = lines.stream().map(OrderLineRecord::lineTotal).reduce(BigDecimal.ZERO, BigDecimal::add);
        order.currency = currency;
        order.placedAt = now;
        order.updatedAt = now;
        return order;
    }

    /** Only a pending order moves on; a repeated answer from the inventory changes nothing. */
    boolean decide(OrderStatus outcome, String reason, Instant now) {
        if (status != OrderStatus.PENDING) {
            return false;
        }
        status = outcome;
        statusReason = reason;
        updatedAt = now;
        return true;
    }

    OrderPlaced placed() {
        return new OrderPlaced(id, customerId, lines.stream()
                .map(line -> new OrderPlaced.Item(line.sku(), line.quantity()))
                .toList());
    }

    Order toOrder() {
        return new Order(id, customerId, status, statusReason,
                lines.stream().map(OrderLineRecord::toLine).toList(), total, currency, placedAt, updatedAt);
    }
}
