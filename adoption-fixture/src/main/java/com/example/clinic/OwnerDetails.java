package com.example.clinic;

import java.util.List;

/** What the owner page shows: the owner, each pet and how many visits it had. */
public record OwnerDetails(long id, String name, String city, List<PetSummary> pets) {

    public record PetSummary(String name, long visits) {
    }
}
