package dev.ficus.catalogservice.products;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;
import java.util.Currency;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;

/**
 * A price: {@code {"amount": 19.90, "currency": "EUR"}}.
 *
 * @param amount   not negative, at most two decimal places
 * @param currency an ISO 4217 code
 */
record Money(
        @NotNull @DecimalMin("0.00") @Digits(integer = 10, fraction = 2) BigDecimal amount,
        @NotNull @IsoCurrency String currency) {

    /** 10 EUR and 10.00 EUR are the same price. */
    boolean sameAs(Money other) {
        return currency.equals(other.currency) && amount.compareTo(other.amount) == 0;
    }

    /** An ISO 4217 currency code known to the JVM. */
    @Documented
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = IsoCurrency.Validator.class)
    @interface IsoCurrency {

        String message() default "must be an ISO 4217 currency code such as EUR";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        class Validator implements ConstraintValidator<IsoCurrency, String> {

            @Override
            public boolean isValid(String code, ConstraintValidatorContext context) {
                if (code == null) {
                    return true;
                }
                if (!code.matches("[A-Z]{3}")) {
                    return false;
                }
                return Currency.getAvailableCurrencies().stream().anyMatch(c -> c.getCurrencyCode().equals(code));
            }
        }
    }
}
