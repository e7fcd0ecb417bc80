package dev.ficus.shop.orders.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.ficus.shop.catalog.Catalog;
import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.customers.Customers;
import dev.ficus.shop.inventory.StockReserved;
import dev.ficus.shop.inventory.StockShortage;
import dev.ficus.shop.orders.CheckoutRefused;
import dev.ficus.shop.orders.CheckoutRefused.Reason;
import dev.ficus.shop.orders.Order;
import dev.ficus.shop.orders.OrderStatus;
import dev.ficus.shop.orders.Orders;
import dev.ficus.shop.orders.PlaceOrder;

@Service
@Transactional
class Checkout implements Orders {

    private final OrderRepository orders;
    private final Catalog catalog;
    private final Customers customers;
    private final ApplicationEventPublisher events;
    private final IdempotencyKeys idempotencyKeys;

    Checkout(OrderRepository orders, Catalog catalog, Customers customers, ApplicationEventPublisher events,
            IdempotencyKeys idempotencyKeys) {
        this.orders = orders;
        this.idempotencyKeys = idempotencyKeys;
        this.catalog = catalog;
        this.customers = customers;
        this.events = events;
    }

    @Override
    public Order place(PlaceOrder request) {
        return place(request, null);
    }

    @Override
    public Order place(PlaceOrder request, String idempotencyKey) {
        UUID id = UUID.randomUUID();
        Instant now = now();
        if (idempotencyKey != null) {
            Optional<UUID> placedBefore = idempotencyKeys.claim(idempotencyKey, request, id, now);
            if (placedBefore.isPresent()) {
                return orders.findById(placedBefore.get()).map(OrderRecord::toOrder).orElseThrow();
            }
        }
        if (customers.findById(request.customerId()).isEmpty()) {
            throw new CheckoutRefused(Reason.UNKNOWN_CUSTOMER, "No customer " + request.customerId());
        }
        Map<String, Integer> quantities = quantitiesPerSku(request);
        List<Product> products = quantities.keySet().stream().map(this::sellable).toList();
        Set<String> currencies = products.stream().map(product -> product.price().currency())
                .collect(Collectors.toCollection(TreeSet::new));
        if (currencies.size() > 1) {
            throw new CheckoutRefused(Reason.MIXED_CURRENCIES,
                    "All products of one order must be priced in one currency, not " + currencies);
        }
        List<OrderLineRecord> lines = products.stream()
                .map(product -> new OrderLineRecord(product.sku(), product.name(), quantities.get(product.sku()),
                        product.price().amount()))
                .toList();
        OrderRecord order = orders.save(OrderRecord.place(id, request.customerId(), lines,
                currencies.iterator().next(), now));
        events.publishEvent(order.placed());
        return order.toOrder();
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<Order> findById(UUID id) {
        return orders.findById(id).map(OrderRecord::toOrder);
    }

    @ApplicationModuleListener
    void on(StockReserved reserved) {
        decide(reserved.reference(), OrderStatus.CONFIRMED, null);
    }

    @ApplicationModuleListener
    void on(StockShortage shortage) {
        decide(shortage.reference(), OrderStatus.REJECTED,
                "Not enough stock of " + String.join(", ", shortage.missingSkus()));
    }

    private void decide(UUID orderId, OrderStatus outcome, String reason) {
        // Stock is reserved for other requesters too; an unknown reference is not ours.
        orders.findById(orderId)
                .filter(order -> order.decide(outcome, reason, now()))
                .ifPresent(orders::save);
    }

    private Product sellable(String sku) {
        Product product = catalog.findBySku(sku)
                .orElseThrow(() -> new CheckoutRefused(Reason.UNKNOWN_PRODUCT, "No product " + sku));
        if (!product.active()) {
            throw new CheckoutRefused(Reason.PRODUCT_INACTIVE, "Product " + sku + " is no longer sold");
        }
        return product;
    }

    private static Map<String, Integer> quantitiesPerSku(PlaceOrder request) {
        Map<String, Integer> quantities = new LinkedHashMap<>();
        request.lines().forEach(line -> quantities.merge(line.sku(), line.quantity(), Integer::sum));
        return quantities;
    }

    /** PostgreSQL keeps microseconds: what is returned now must equal what is read back later. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
