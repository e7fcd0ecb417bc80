package dev.ficus.shop.inventory.internal;

import java.util.Collection;
import java.util.List;

import org.springframework.data.relational.core.sql.LockMode;
import org.springframework.data.relational.repository.Lock;
import org.springframework.data.repository.ListCrudRepository;

interface StockRepository extends ListCrudRepository<StockRecord, String> {

    /** Locks the rows, in SKU order so that concurrent reservations cannot deadlock. */
    @Lock(LockMode.PESSIMISTIC_WRITE)
    List<StockRecord> findBySkuInOrderBySku(Collection<String> skus);
}
