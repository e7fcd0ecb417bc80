package dev.ficus.catalogservice.products;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A row of {@code catalog.products}. Immutable: every change answers a new row, which the
 * repository saves only if nobody saved another version meanwhile.
 */
@Table(schema = "catalog", name = "products")
record ProductRow(
        @Id UUID id,
        String sku,
        String name,
        String description,
        BigDecimal price,
        String currency,
        String category,
        boolean active,
        Instant createdAt,
        Instant updatedAt,
        @Version Long version) {

    static ProductRow of(NewProduct product, Instant now) {
        return new ProductRow(UUID.randomUUID(), product.sku(), product.name(), product.description(),
                product.price().amount(), product.price().currency(), product.category(), true, now, now, null);
    }

    ProductRow describedAs(ProductDetails details, Instant now) {
        return new ProductRow(id, sku, details.name(), details.description(), price, currency, details.category(),
                active, createdAt, now, version);
    }

    ProductRow pricedAt(Money newPrice, Instant now) {
        return new ProductRow(id, sku, name, description, newPrice.amount(), newPrice.currency(), category, active,
                createdAt, now, version);
    }

    ProductRow deactivated(Instant now) {
        return new ProductRow(id, sku, name, description, price, currency, category, false, createdAt, now, version);
    }

    Money money() {
        return new Money(price, currency);
    }

    Product toProduct() {
        return new Product(id, sku, name, description, money(), category, active, createdAt, updatedAt, version);
    }
}
