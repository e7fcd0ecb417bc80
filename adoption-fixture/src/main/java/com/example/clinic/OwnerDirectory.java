package com.example.clinic;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.springframework.stereotype.Service;

import dev.ficus.toolkit.cache.CacheAside;
import dev.ficus.toolkit.cache.Caches;

/** Owner pages, read through a cache that the database's changes keep correct. */
@Service
public class OwnerDirectory {

    private final OwnerRepository owners;
    private final CacheAside<Long, OwnerDetails> details;

    public OwnerDirectory(OwnerRepository owners, Caches caches) {
        this.owners = owners;
        this.details = caches.cacheAside("owner-details", Long.class, this::load);
    }

    public Optional<OwnerDetails> details(long ownerId) {
        return details.get(ownerId);
    }

    private Optional<OwnerDetails> load(long ownerId) {
        return owners.findWithPets(ownerId).map(owner -> {
            Map<Long, Long> visits = owners.countVisitsByPet(ownerId).stream()
                    .collect(Collectors.toMap(row -> (Long) row[0], row -> (Long) row[1]));
            return new OwnerDetails(owner.getId(), owner.getName(), owner.getCity(), owner.getPets().stream()
                    .map(pet -> new OwnerDetails.PetSummary(pet.getName(), visits.getOrDefault(pet.getId(), 0L)))
                    .toList());
        });
    }
}
