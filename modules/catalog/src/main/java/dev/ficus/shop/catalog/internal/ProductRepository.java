package dev.ficus.shop.catalog.internal;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.repository.ListCrudRepository;

interface ProductRepository extends ListCrudRepository<ProductRecord, UUID> {

    Optional<ProductRecord> findBySku(String sku);

    boolean existsBySku(String sku);
}
