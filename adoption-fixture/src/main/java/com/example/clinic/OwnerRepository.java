package com.example.clinic;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface OwnerRepository extends JpaRepository<Owner, Long> {

    @Query("select o from Owner o left join fetch o.pets where o.id = :id")
    Optional<Owner> findWithPets(Long id);

    @Query("select v.pet.id, count(v) from Visit v where v.pet.owner.id = :ownerId group by v.pet.id")
    List<Object[]> countVisitsByPet(Long ownerId);
}
