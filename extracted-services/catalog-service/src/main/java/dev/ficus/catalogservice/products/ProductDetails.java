package dev.ficus.catalogservice.products;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** What a product update replaces, all of it: a description left out is cleared. */
record ProductDetails(
        @NotBlank @Size(max = 200) String name,
        @Size(max = 4000) String description,
        @NotNull @Pattern(regexp = CATEGORY, message = CATEGORY_MESSAGE) String category) {

    static final String CATEGORY = "[a-z0-9][a-z0-9-]{0,59}";

    static final String CATEGORY_MESSAGE = "must be lower-case letters, digits and dashes";
}
