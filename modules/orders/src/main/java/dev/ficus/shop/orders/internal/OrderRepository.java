package dev.ficus.shop.orders.internal;

import java.util.UUID;

import org.springframework.data.repository.CrudRepository;

interface OrderRepository extends CrudRepository<OrderRecord, UUID> {
}
