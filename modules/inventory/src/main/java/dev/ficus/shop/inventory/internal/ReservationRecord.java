package dev.ficus.shop.inventory.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

import dev.ficus.shop.inventory.ReservationDecision;

/** A row of {@code inventory.reservations}: the answer given to one request, kept to stay idempotent. */
@Table(schema = "inventory", name = "reservations")
class ReservationRecord {

    enum Outcome { RESERVED, SHORTAGE }

    @Id
    private UUID reference;
    private Outcome outcome;
    private String missingSkus;
    private Instant decidedAt;
    @Version
    private Long version;

    static ReservationRecord reserved(UUID reference) {
        return decided(reference, Outcome.RESERVED, List.of());
    }

    static ReservationRecord shortage(UUID reference, List<String> missingSkus) {
        return decided(reference, Outcome.SHORTAGE, missingSkus);
    }

    ReservationDecision toDecision() {
        return new ReservationDecision(reference, outcome == Outcome.RESERVED,
                missingSkus == null ? List.of() : List.of(missingSkus.split(",")));
    }

    private static ReservationRecord decided(UUID reference, Outcome outcome, List<String> missingSkus) {
        ReservationRecord record = new ReservationRecord();
        record.reference = reference;
        record.outcome = outcome;
        record.missingSkus = missingSkus.isEmpty() ? null : String.join(",", missingSkus);
        record.decidedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return record;
    }
}
