package dev.ficus.shop.customers;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What a customer tells the shop about themselves.
 *
 * @param email unique per customer, compared case-insensitively
 * @param phone optional, in international form such as {@code +49 30 1234567}
 */
public record CustomerProfile(
        @NotBlank @Email @Size(max = 254) String email,
        @NotBlank @Size(max = 200) String name,
        @Pattern(regexp = "\\+?[0-9 ()-]{5,30}", message = "must be a phone number such as +49 30 1234567")
        String phone) {
}
