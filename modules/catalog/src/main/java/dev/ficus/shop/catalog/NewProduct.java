package dev.ficus.shop.catalog;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A product to add to the catalog; it starts active. */
public record NewProduct(
        @NotNull @Pattern(regexp = Skus.PATTERN, message = Skus.MESSAGE) String sku,
        @NotBlank @Size(max = 200) String name,
        @Size(max = 4000) String description,
        @NotNull @Valid Money price,
        @NotNull @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,59}", message = "must be lower-case letters, digits and dashes")
        String category) {
}
