package dev.ficus.shop.inventory.internal;

import java.util.UUID;

import org.springframework.data.repository.CrudRepository;

interface ReservationRepository extends CrudRepository<ReservationRecord, UUID> {
}
