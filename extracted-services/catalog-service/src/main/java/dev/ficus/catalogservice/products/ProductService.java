package dev.ficus.catalogservice.products;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.ficus.toolkit.replication.Replication;

/**
 * Everything the catalog does, each in one transaction. Every change to a product goes through
 * one of the write methods here ({@link #create}, {@link #update}, {@link #changePrice},
 * {@link #deactivate}), never straight to the repository.
 */
@Service
class ProductService {

    private final ProductRepository products;
    private final ObjectProvider<Replication> replication;

    /**
     * @param replication the copy of the shop's catalog, while the service is being extracted:
     *                    writes are taken only once they were moved here; without replication the
     *                    service owns its writes
     */
    ProductService(ProductRepository products, ObjectProvider<Replication> replication) {
        this.products = products;
        this.replication = replication;
    }

    private void requireWritesHere() {
        replication.ifAvailable(Replication::requireWritesHere);
    }

    /** @throws DuplicateSku if a product has that SKU already */
    @Transactional
    public Product create(NewProduct product) {
        requireWritesHere();
        if (products.existsBySku(product.sku())) {
            throw new DuplicateSku(product.sku());
        }
        try {
            return products.save(ProductRow.of(product, now())).toProduct();
        }
        catch (RuntimeException e) {
            // Two concurrent creations of one SKU: the unique index decides.
            if (causedByDuplicateKey(e)) {
                throw new DuplicateSku(product.sku());
            }
            throw e;
        }
    }

    /** Replaces name, description and category; always a new version. */
    @Transactional
    public Product update(UUID id, ProductDetails details) {
        requireWritesHere();
        return products.save(load(id).describedAs(details, now())).toProduct();
    }

    /** The same price, whatever its scale, changes nothing. */
    @Transactional
    public Product changePrice(UUID id, Money price) {
        requireWritesHere();
        ProductRow product = load(id);
        if (product.money().sameAs(price)) {
            return product.toProduct();
        }
        return products.save(product.pricedAt(price, now())).toProduct();
    }

    /** Deactivating a withdrawn product changes nothing. */
    @Transactional
    public Product deactivate(UUID id) {
        requireWritesHere();
        ProductRow product = load(id);
        if (!product.active()) {
            return product.toProduct();
        }
        return products.save(product.deactivated(now())).toProduct();
    }

    @Transactional(readOnly = true)
    public Optional<Product> findById(UUID id) {
        return products.findById(id).map(ProductRow::toProduct);
    }

    @Transactional(readOnly = true)
    public Optional<Product> findBySku(String sku) {
        return products.findBySku(sku).map(ProductRow::toProduct);
    }

    /** @param page zero-based */
    @Transactional(readOnly = true)
    public ProductPage search(ProductFilter filter, int page, int size) {
        long total = products.countMatching(filter);
        List<Product> items = products.findMatching(filter, page, size).stream().map(ProductRow::toProduct).toList();
        int totalPages = (int) ((total + size - 1) / size);
        return new ProductPage(items, page, size, total, totalPages);
    }

    private ProductRow load(UUID id) {
        return products.findById(id).orElseThrow(() -> new ProductNotFound(id));
    }

    private static boolean causedByDuplicateKey(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof DuplicateKeyException) {
                return true;
            }
        }
        return false;
    }

    /** PostgreSQL keeps microseconds: what is answered now must equal what is read back later. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
