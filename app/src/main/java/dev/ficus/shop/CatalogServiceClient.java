package dev.ficus.shop;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

import dev.ficus.shop.catalog.Catalog;
import dev.ficus.shop.catalog.DuplicateSku;
import dev.ficus.shop.catalog.Money;
import dev.ficus.shop.catalog.NewProduct;
import dev.ficus.shop.catalog.Product;
import dev.ficus.shop.catalog.ProductDetails;
import dev.ficus.shop.catalog.ProductNotFound;
import dev.ficus.shop.catalog.ProductPage;
import dev.ficus.shop.catalog.ProductSearch;
import dev.ficus.toolkit.problems.Problems;

/**
 * The catalog as catalog-service provides it, behind the catalog's own API: the service's refusals
 * become the exceptions the module would throw, so a caller cannot tell the two apart. Failures
 * to reach the service stay Spring's {@code RestClientException}s, which the router counts; a write
 * the service refuses to the caller (401, 403) is a 403 to the caller, never made in the module.
 */
class CatalogServiceClient implements Catalog {

    private final CatalogServiceApi api;

    CatalogServiceClient(CatalogServiceApi api) {
        this.api = api;
    }

    @Override
    public Product create(NewProduct product) {
        try {
            return api.create(product);
        }
        catch (CatalogServiceAnswer answer) {
            if (answer.is("duplicate-sku")) {
                throw new DuplicateSku(product.sku());
            }
            throw refusedCaller(answer);
        }
    }

    @Override
    public Product update(UUID id, ProductDetails details) {
        return write(id, () -> api.update(id, details));
    }

    @Override
    public Product changePrice(UUID id, Money price) {
        return write(id, () -> api.changePrice(id, price));
    }

    @Override
    public Product deactivate(UUID id) {
        return write(id, () -> api.deactivate(id));
    }

    private static Product write(UUID id, Supplier<Product> call) {
        try {
            return call.get();
        }
        catch (CatalogServiceAnswer answer) {
            if (answer.is("product-not-found")) {
                throw new ProductNotFound(id);
            }
            if (answer.is("concurrent-update")) {
                throw new OptimisticLockingFailureException(answer.getMessage());
            }
            throw refusedCaller(answer);
        }
    }

    /**
     * A write the service refused to the caller (their token, or their role) is refused to the caller:
     * made in the module instead, it would bypass the service that owns the writes.
     */
    private static RuntimeException refusedCaller(CatalogServiceAnswer answer) {
        if (answer.is("unauthenticated") || answer.is("forbidden")) {
            return new ErrorResponseException(HttpStatus.FORBIDDEN, Problems.of(HttpStatus.FORBIDDEN, "forbidden",
                    "catalog-service refused this change to the caller: " + answer.getMessage()), null);
        }
        return answer.unexpected();
    }

    @Override
    public Optional<Product> findById(UUID id) {
        return find(() -> api.findById(id));
    }

    @Override
    public Optional<Product> findBySku(String sku) {
        return find(() -> api.findBySku(sku));
    }

    private static Optional<Product> find(Supplier<Product> call) {
        try {
            return Optional.of(call.get());
        }
        catch (CatalogServiceAnswer answer) {
            if (answer.is("product-not-found")) {
                return Optional.empty();
            }
            throw answer.unexpected();
        }
    }

    @Override
    public ProductPage search(ProductSearch search) {
        try {
            return api.search(search.text(), search.category(), search.active(), search.page(), search.size());
        }
        catch (CatalogServiceAnswer answer) {
            throw answer.unexpected();
        }
    }
}
