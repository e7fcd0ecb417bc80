package dev.ficus.shop.orders;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.modulith.test.ApplicationModuleTest.BootstrapMode;
import org.springframework.modulith.test.Scenario;

import dev.ficus.shop.catalog.Catalog;
import dev.ficus.shop.catalog.Money;
import dev.ficus.shop.catalog.NewProduct;
import dev.ficus.shop.customers.CustomerProfile;
import dev.ficus.shop.customers.Customers;
import dev.ficus.shop.inventory.Inventory;
import dev.ficus.shop.orders.CheckoutRefused.Reason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Orders with the real modules around it: catalog and customers, which it calls, and the
 * inventory, which answers its events (a dependency on types only, so it is named explicitly).
 */
@ApplicationModuleTest(mode = BootstrapMode.DIRECT_DEPENDENCIES, extraIncludes = "inventory")
class OrdersModuleTests {

    private final Orders orders;
    private final Catalog catalog;
    private final Customers customers;
    private final Inventory inventory;
    private final JdbcClient jdbc;

    OrdersModuleTests(Orders orders, Catalog catalog, Customers customers, Inventory inventory, JdbcClient jdbc) {
        this.orders = orders;
        this.catalog = catalog;
        this.customers = customers;
        this.inventory = inventory;
        this.jdbc = jdbc;
    }

    @Test
    void placingAnOrderPricesItFromTheCatalogAndPublishesIt(Scenario scenario) {
        UUID customer = customer();
        String lamp = product("19.90", "EUR", 10);
        String bulb = product("2.50", "EUR", 10);

        scenario.stimulate(() -> orders.place(new PlaceOrder(customer,
                        List.of(new PlaceOrder.Line(lamp, 1), new PlaceOrder.Line(bulb, 2), new PlaceOrder.Line(bulb, 1)))))
                .andWaitForEventOfType(OrderPlaced.class)
                .toArriveAndVerify((event, order) -> {
                    assertThat(order.status()).isEqualTo(OrderStatus.PENDING);
                    assertThat(order.total()).isEqualByComparingTo("27.40");
                    assertThat(order.currency()).isEqualTo("EUR");
                    assertThat(event.orderId()).isEqualTo(order.id());
                    assertThat(event.requestedQuantities()).containsOnly(
                            java.util.Map.entry(lamp, 1), java.util.Map.entry(bulb, 3));
                });
    }

    @Test
    void anOrderIsConfirmedOnceItsStockIsReserved() {
        String lamp = product("19.90", "EUR", 3);

        Order order = orders.place(new PlaceOrder(customer(), List.of(new PlaceOrder.Line(lamp, 3))));

        assertThat(decided(order)).satisfies(confirmed -> {
            assertThat(confirmed.status()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(confirmed.statusReason()).isNull();
        });
        assertThat(inventory.stockOf(lamp).available()).isZero();
    }

    @Test
    void anOrderIsRejectedWhenStockIsShort() {
        String lamp = product("19.90", "EUR", 1);

        Order order = orders.place(new PlaceOrder(customer(), List.of(new PlaceOrder.Line(lamp, 2))));

        assertThat(decided(order)).satisfies(rejected -> {
            assertThat(rejected.status()).isEqualTo(OrderStatus.REJECTED);
            assertThat(rejected.statusReason()).contains(lamp);
        });
        assertThat(inventory.stockOf(lamp).reserved()).isZero();
    }

    @Test
    void checkoutRefusesWhatCannotBeSoldAndWritesNothing() {
        UUID customer = customer();
        String lamp = product("19.90", "EUR", 5);
        String withdrawn = product("5.00", "EUR", 5);
        catalog.deactivate(catalog.findBySku(withdrawn).orElseThrow().id());
        String priceInDollars = product("5.00", "USD", 5);
        long ordersBefore = storedOrders();

        assertRefused(new PlaceOrder(UUID.randomUUID(), List.of(new PlaceOrder.Line(lamp, 1))), Reason.UNKNOWN_CUSTOMER);
        assertRefused(new PlaceOrder(customer, List.of(new PlaceOrder.Line("NO-SUCH-SKU", 1))), Reason.UNKNOWN_PRODUCT);
        assertRefused(new PlaceOrder(customer, List.of(new PlaceOrder.Line(lamp, 1), new PlaceOrder.Line(withdrawn, 1))),
                Reason.PRODUCT_INACTIVE);
        assertRefused(new PlaceOrder(customer,
                List.of(new PlaceOrder.Line(lamp, 1), new PlaceOrder.Line(priceInDollars, 1))), Reason.MIXED_CURRENCIES);

        assertThat(storedOrders()).isEqualTo(ordersBefore);
    }

    @Test
    void anOrderKeepsThePriceItWasPlacedAt() {
        String lamp = product("19.90", "EUR", 5);
        Order order = orders.place(new PlaceOrder(customer(), List.of(new PlaceOrder.Line(lamp, 1))));

        catalog.changePrice(catalog.findBySku(lamp).orElseThrow().id(), new Money(new BigDecimal("99.00"), "EUR"));

        assertThat(orders.findById(order.id()).orElseThrow().lines().getFirst().unitPrice()).isEqualByComparingTo("19.90");
    }

    @Test
    void aRepeatedIdempotencyKeyAnswersTheOrderItPlacedEvenWhenTheRepeatsArriveTogether() throws Exception {
        UUID customer = customer();
        String lamp = product("19.90", "EUR", 100);
        PlaceOrder request = new PlaceOrder(customer, List.of(new PlaceOrder.Line(lamp, 2)));

        Order first = orders.place(request, "retry-1");
        Order again = orders.place(request, "retry-1");
        List<Order> together;
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var calls = java.util.stream.IntStream.range(0, 8)
                    .mapToObj(i -> threads.submit(() -> orders.place(request, "retry-2")))
                    .toList();
            together = new java.util.ArrayList<>();
            for (var call : calls) {
                together.add(call.get());
            }
        }

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(together).extracting(Order::id).containsOnly(together.getFirst().id()).doesNotContain(first.id());
        assertThat(jdbc.sql("select count(*) from orders.orders where customer_id = ?").param(customer)
                .query(Long.class).single()).isEqualTo(2);
        // The same key for another customer is another key.
        UUID other = customer();
        assertThat(orders.place(new PlaceOrder(other, List.of(new PlaceOrder.Line(lamp, 2))), "retry-1").id())
                .isNotEqualTo(first.id());
        await().atMost(Duration.ofSeconds(20)).until(() -> inventory.stockOf(lamp).reserved() == 6);
    }

    @Test
    void anIdempotencyKeyThatPlacedAnotherOrderIsRefusedAndNothingIsWritten() {
        UUID customer = customer();
        String lamp = product("19.90", "EUR", 10);
        orders.place(new PlaceOrder(customer, List.of(new PlaceOrder.Line(lamp, 1))), "key-a");
        long ordersBefore = storedOrders();

        assertThatThrownBy(() -> orders.place(new PlaceOrder(customer, List.of(new PlaceOrder.Line(lamp, 3))), "key-a"))
                .isInstanceOfSatisfying(CheckoutRefused.class,
                        refused -> assertThat(refused.reason()).isEqualTo(Reason.IDEMPOTENCY_KEY_REUSED));
        assertThat(storedOrders()).isEqualTo(ordersBefore);
    }

    @Test
    void aBurstOfOrdersForTheLastUnitsNeverOversells() throws Exception {
        String lamp = product("19.90", "EUR", 10);
        List<Order> placed = new java.util.ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var calls = java.util.stream.IntStream.range(0, 40)
                    .mapToObj(i -> threads.submit(() -> orders.place(new PlaceOrder(customer(),
                            List.of(new PlaceOrder.Line(lamp, 1))))))
                    .toList();
            for (var call : calls) {
                placed.add(call.get());
            }
        }

        List<Order> decided = placed.stream().map(this::decided).toList();
        assertThat(decided).filteredOn(order -> order.status() == OrderStatus.CONFIRMED).hasSize(10);
        assertThat(decided).filteredOn(order -> order.status() == OrderStatus.REJECTED).hasSize(30);
        assertThat(inventory.stockOf(lamp).reserved()).isEqualTo(10);
        assertThat(inventory.stockOf(lamp).available()).isZero();
    }

    private void assertRefused(PlaceOrder order, Reason reason) {
        assertThatThrownBy(() -> orders.place(order))
                .isInstanceOfSatisfying(CheckoutRefused.class, refused -> assertThat(refused.reason()).isEqualTo(reason));
    }

    private Order decided(Order order) {
        return await().atMost(Duration.ofSeconds(20))
                .until(() -> orders.findById(order.id()).orElseThrow(), found -> found.status() != OrderStatus.PENDING);
    }

    private long storedOrders() {
        return jdbc.sql("select count(*) from orders.orders").query(Long.class).single();
    }

    private UUID customer() {
        return customers.register(new CustomerProfile("o-" + UUID.randomUUID() + "@example.org", "Buyer", null)).id();
    }

    private String product(String price, String currency, int stock) {
        String sku = "T-" + UUID.randomUUID().toString().substring(0, 13).toUpperCase();
        catalog.create(new NewProduct(sku, "Product " + sku, null, new Money(new BigDecimal(price), currency), "tests"));
        inventory.restock(sku, stock);
        return sku;
    }
}
