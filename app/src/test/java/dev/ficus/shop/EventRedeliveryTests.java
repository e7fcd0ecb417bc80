package dev.ficus.shop;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.shop.catalog.Catalog;
import dev.ficus.shop.catalog.Money;
import dev.ficus.shop.catalog.NewProduct;
import dev.ficus.shop.customers.CustomerProfile;
import dev.ficus.shop.customers.Customers;
import dev.ficus.shop.inventory.Inventory;
import dev.ficus.shop.orders.Order;
import dev.ficus.shop.orders.OrderStatus;
import dev.ficus.shop.orders.Orders;
import dev.ficus.shop.orders.PlaceOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A module event whose listener fails is not lost: its publication stays in the registry and is
 * delivered again, by the scheduled resubmission and after a restart.
 */
@ShopHttpTest
class EventRedeliveryTests {

    @Autowired
    Orders orders;

    @Autowired
    Catalog catalog;

    @Autowired
    Customers customers;

    @Autowired
    Inventory inventory;

    @Autowired
    JdbcClient jdbc;

    @Test
    void anEventWhoseListenerFailedIsDeliveredAgainOnSchedule() {
        Shop shop = new Shop(catalog, customers, inventory);
        String sku = shop.productInStock(5);

        try (FaultInjection fault = FaultInjection.failStockUpdates(jdbc, sku, 1)) {
            Order order = orders.place(new PlaceOrder(shop.customer(), List.of(new PlaceOrder.Line(sku, 2))));

            Order decided = await().atMost(Duration.ofSeconds(20))
                    .until(() -> orders.findById(order.id()).orElseThrow(), o -> o.status() != OrderStatus.PENDING);

            assertThat(fault.attempts()).as("the first delivery failed, a later one succeeded").isEqualTo(2);
            assertThat(decided.status()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(shop.inventory().stockOf(sku).reserved()).as("reserved exactly once").isEqualTo(2);
        }
    }

    @Test
    void anEventWhoseListenerFailedIsDeliveredAfterARestart(@TempDir Path workingDirectory) throws Exception {
        Path dataDirectory = Files.createDirectories(workingDirectory.resolve("postgres"));
        UUID orderId;
        String sku;
        try (ConfigurableApplicationContext first = startShop(dataDirectory)) {
            Shop shop = Shop.in(first);
            sku = shop.productInStock(5);
            JdbcClient firstJdbc = first.getBean(JdbcClient.class);
            try (FaultInjection fault = FaultInjection.failStockUpdates(firstJdbc, sku, Integer.MAX_VALUE)) {
                orderId = first.getBean(Orders.class)
                        .place(new PlaceOrder(shop.customer(), List.of(new PlaceOrder.Line(sku, 1)))).id();
                await().atMost(Duration.ofSeconds(20)).until(() -> fault.attempts() >= 1);
            }
            // The fault is gone, but nothing resubmits before the shutdown (the interval is an hour).
            assertThat(first.getBean(Orders.class).findById(orderId).orElseThrow().status())
                    .isEqualTo(OrderStatus.PENDING);
        }

        try (ConfigurableApplicationContext second = startShop(dataDirectory)) {
            Orders restarted = second.getBean(Orders.class);
            Order decided = await().atMost(Duration.ofSeconds(30))
                    .until(() -> restarted.findById(orderId).orElseThrow(), o -> o.status() != OrderStatus.PENDING);

            assertThat(decided.status()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(second.getBean(Inventory.class).stockOf(sku).reserved()).isEqualTo(1);
        }
    }

    private static ConfigurableApplicationContext startShop(Path dataDirectory) {
        return new SpringApplicationBuilder(FicusApplication.class).run(
                "--server.port=0",
                "--ficus.embedded-postgres.data-directory=" + dataDirectory,
                "--ficus.embedded-postgres.port=0",
                "--ficus.events.resubmission.interval=1h");
    }

    /** Just enough of a shop to place an order. */
    record Shop(Catalog catalog, Customers customers, Inventory inventory) {

        static Shop in(ConfigurableApplicationContext context) {
            return new Shop(context.getBean(Catalog.class), context.getBean(Customers.class),
                    context.getBean(Inventory.class));
        }

        String productInStock(int quantity) {
            String sku = "RE-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
            catalog.create(new NewProduct(sku, "Redelivered " + sku, null, new Money(BigDecimal.TEN, "EUR"), "tests"));
            inventory.restock(sku, quantity);
            return sku;
        }

        UUID customer() {
            return customers.register(new CustomerProfile(UUID.randomUUID() + "@example.org", "Buyer", null)).id();
        }
    }
}
