package dev.ficus.shop.orders;

import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import dev.ficus.shop.catalog.Skus;

/** A customer's request to buy; lines naming the same SKU are added together. */
public record PlaceOrder(
        @NotNull UUID customerId,
        @NotEmpty @Size(max = 100) List<@NotNull @Valid Line> lines) {

    /** @param quantity units wanted */
    public record Line(
            @NotNull @Pattern(regexp = Skus.PATTERN, message = Skus.MESSAGE) String sku,
            @Positive @Max(10_000) int quantity) {
    }
}
