package dev.ficus.shop.catalog.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

import dev.ficus.shop.catalog.Money;
import dev.ficus.shop.catalog.NewProduct;
import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.catalog.ProductDetails;

/** A row of {@code catalog.products}. */
@Table(schema = "catalog", name = "products")
class ProductRecord {

    @Id
    private UUID id;
    private String sku;
    private String name;
    private String description;
    private BigDecimal priceAmount;
    private String priceCurrency;
    private String category;
    private boolean active;
    private Instant createdAt;
    private Instant updatedAt;
    @Version
    private Long version;

    static ProductRecord from(NewProduct product, Instant now) {
        ProductRecord record = new ProductRecord();
        record.id = UUID.randomUUID();
        record.sku = product.sku();
        record.describe(new ProductDetails(product.name(), product.description(), product.category()), now);
        record.price(product.price(), now);
        record.active = true;
        record.createdAt = now;
        return record;
    }

    void describe(ProductDetails details, Instant now) {
        name = details.name();
        description = details.description();
        category = details.category();
        updatedAt = now;
    }

    void price(Money price, Instant now) {
        priceAmount = price.amount();
        priceCurrency = price.currency();
        updatedAt = now;
    }

    void deactivate(Instant now) {
        active = false;
        updatedAt = now;
    }

    UUID id() {
        return id;
    }

    String sku() {
        return sku;
    }

    boolean active() {
        return active;
    }

    Money price() {
        return new Money(priceAmount, priceCurrency);
    }

    Product toProduct() {
        return new Product(id, sku, name, description, price(), category, active, createdAt, updatedAt, version);
    }
}
