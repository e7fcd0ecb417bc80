package dev.ficus.catalogservice.products;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.repository.ListCrudRepository;

interface ProductRepository extends ListCrudRepository<ProductRow, UUID>, ProductSearches {

    Optional<ProductRow> findBySku(String sku);

    boolean existsBySku(String sku);
}
