package dev.ficus.shop.catalog.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.data.relational.core.query.Criteria;
import org.springframework.data.relational.core.query.Query;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.ficus.shop.catalog.Catalog;
import dev.ficus.shop.catalog.DuplicateSku;
import dev.ficus.shop.catalog.Money;
import dev.ficus.shop.catalog.NewProduct;
import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.catalog.ProductDeactivated;
import dev.ficus.shop.catalog.ProductDetails;
import dev.ficus.shop.catalog.ProductNotFound;
import dev.ficus.shop.catalog.ProductPage;
import dev.ficus.shop.catalog.ProductPriceChanged;
import dev.ficus.shop.catalog.ProductSearch;
import dev.ficus.toolkit.cache.CacheAside;
import dev.ficus.toolkit.cache.Caches;

/** Changes run in a transaction each; reads by id and SKU come from the caches and need none. */
@Service
class CatalogService implements Catalog {

    private final ProductRepository products;
    private final JdbcAggregateTemplate aggregates;
    private final ApplicationEventPublisher events;
    /** Hot reads; change data capture evicts what changes, whoever changes it. */
    private final CacheAside<UUID, Product> byId;
    private final CacheAside<String, Product> bySku;

    CatalogService(ProductRepository products, JdbcAggregateTemplate aggregates, ApplicationEventPublisher events,
            Caches caches) {
        this.products = products;
        this.aggregates = aggregates;
        this.events = events;
        this.byId = caches.cacheAside("products", UUID.class,
                id -> products.findById(id).map(ProductRecord::toProduct), this::mostRequested);
        this.bySku = caches.cacheAside("products-by-sku", String.class,
                sku -> products.findBySku(sku).map(ProductRecord::toProduct),
                limit -> mostRequested(limit).values().stream()
                        .collect(Collectors.toMap(Product::sku, Function.identity())));
    }

    @Override
    @Transactional
    public Product create(NewProduct product) {
        if (products.existsBySku(product.sku())) {
            throw new DuplicateSku(product.sku());
        }
        try {
            Product created = products.save(ProductRecord.from(product, now())).toProduct();
            evictAfterCommit(created);
            return created;
        }
        catch (RuntimeException e) {
            // Two concurrent creations of one SKU: the unique index decides.
            if (causedByDuplicateKey(e)) {
                throw new DuplicateSku(product.sku());
            }
            throw e;
        }
    }

    @Override
    @Transactional
    public Product update(UUID id, ProductDetails details) {
        ProductRecord product = load(id);
        product.describe(details, now());
        return saved(product);
    }

    @Override
    @Transactional
    public Product changePrice(UUID id, Money price) {
        ProductRecord product = load(id);
        Money oldPrice = product.price();
        if (oldPrice.sameAs(price)) {
            return product.toProduct();
        }
        product.price(price, now());
        Product saved = saved(product);
        events.publishEvent(new ProductPriceChanged(id, saved.sku(), oldPrice, saved.price()));
        return saved;
    }

    @Override
    @Transactional
    public Product deactivate(UUID id) {
        ProductRecord product = load(id);
        if (!product.active()) {
            return product.toProduct();
        }
        product.deactivate(now());
        Product saved = saved(product);
        events.publishEvent(new ProductDeactivated(id, saved.sku()));
        return saved;
    }

    @Override
    public Optional<Product> findById(UUID id) {
        return byId.get(id);
    }

    @Override
    public Optional<Product> findBySku(String sku) {
        return bySku.get(sku);
    }

    @Override
    @Transactional(readOnly = true)
    public ProductPage search(ProductSearch search) {
        Criteria criteria = Criteria.empty();
        if (search.text() != null && !search.text().isBlank()) {
            String pattern = "%" + escapeLike(search.text().strip()) + "%";
            criteria = criteria.and(Criteria.where("name").like(pattern).ignoreCase(true)
                    .or("sku").like(pattern).ignoreCase(true));
        }
        if (search.category() != null && !search.category().isBlank()) {
            criteria = criteria.and(Criteria.where("category").is(search.category()));
        }
        if (search.active() != null) {
            criteria = criteria.and(Criteria.where("active").is(search.active()));
        }
        Query query = Query.query(criteria);
        long total = aggregates.count(query, ProductRecord.class);
        List<Product> items = aggregates
                .findAll(query.with(PageRequest.of(search.page(), search.size(), Sort.by("sku"))), ProductRecord.class)
                .stream().map(ProductRecord::toProduct).toList();
        int totalPages = (int) ((total + search.size() - 1) / search.size());
        return new ProductPage(items, search.page(), search.size(), total, totalPages);
    }

    /** This instance reads its own writes at once; other instances learn of them by change data capture. */
    private Product saved(ProductRecord product) {
        Product saved = products.save(product).toProduct();
        evictAfterCommit(saved);
        return saved;
    }

    private void evictAfterCommit(Product product) {
        byId.evictAfterCommit(product.id());
        bySku.evictAfterCommit(product.sku());
    }

    /** Warm-up: active products, in SKU order, as many as the cache holds. */
    private Map<UUID, Product> mostRequested(long limit) {
        Query active = Query.query(Criteria.where("active").is(true)).sort(Sort.by("sku")).limit((int) limit);
        return aggregates.findAll(active, ProductRecord.class).stream()
                .map(ProductRecord::toProduct)
                .collect(Collectors.toMap(Product::id, Function.identity()));
    }

    private ProductRecord load(UUID id) {
        return products.findById(id).orElseThrow(() -> new ProductNotFound(id));
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static boolean causedByDuplicateKey(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof DuplicateKeyException) {
                return true;
            }
        }
        return false;
    }

    /** PostgreSQL keeps microseconds: what is returned now must equal what is read back later. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
