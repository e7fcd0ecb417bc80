package dev.ficus.shop;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/** A new embedded database gets the demo shop, once. (Its own database: other tests start empty.) */
@SpringBootTest(properties = {"ficus.demo-data.enabled=true", "ficus.embedded-postgres.database=demo"})
class DemoDataTests {

    @Autowired
    DemoData demoData;

    @Autowired
    JdbcClient jdbc;

    @Test
    void theDemoShopIsLoadedOnceWithSoldOutProductsToShowRejections() {
        demoData.run(null);

        assertThat(count("select count(*) from catalog.products")).isEqualTo(DemoData.PRODUCTS);
        assertThat(count("select count(*) from customers.customers")).isEqualTo(DemoData.CUSTOMERS);
        assertThat(count("select count(*) from inventory.stock")).isEqualTo(DemoData.PRODUCTS - DemoData.PRODUCTS / 10);
        assertThat(count("select count(*) from inventory.stock where sku = 'SKU-0010'")).isZero();
        assertThat(count("select count(*) from inventory.stock where sku = 'SKU-0001' and on_hand > 0")).isOne();
        assertThat(count("select count(*) from shop.demo_data")).isOne();
    }

    private long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}
