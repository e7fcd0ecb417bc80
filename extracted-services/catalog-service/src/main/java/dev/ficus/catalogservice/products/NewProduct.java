package dev.ficus.catalogservice.products;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A product to add; it starts active. */
record NewProduct(
        @NotNull @Pattern(regexp = SKU, message = SKU_MESSAGE) String sku,
        @NotBlank @Size(max = 200) String name,
        @Size(max = 4000) String description,
        @NotNull @Valid Money price,
        @NotNull @Pattern(regexp = ProductDetails.CATEGORY, message = ProductDetails.CATEGORY_MESSAGE) String category) {

    static final String SKU = "[A-Z0-9][A-Z0-9-]{2,39}";

    static final String SKU_MESSAGE = "must be 3 to 40 upper-case letters, digits and dashes";

    ProductDetails details() {
        return new ProductDetails(name, description, category);
    }
}
