package dev.ficus.shop.catalog;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** The descriptive part of a product; price and status change through their own operations. */
public record ProductDetails(
        @NotBlank @Size(max = 200) String name,
        @Size(max = 4000) String description,
        @NotNull @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,59}", message = "must be lower-case letters, digits and dashes")
        String category) {
}
