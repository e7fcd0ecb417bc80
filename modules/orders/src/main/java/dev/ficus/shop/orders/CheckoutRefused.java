package dev.ficus.shop.orders;

/**
 * The order cannot be placed as asked; nothing was written.
 *
 * @see Reason
 */
public class CheckoutRefused extends RuntimeException {

    public enum Reason {
        UNKNOWN_CUSTOMER, UNKNOWN_PRODUCT, PRODUCT_INACTIVE, MIXED_CURRENCIES,
        /** The Idempotency-Key placed another order of the customer before. */
        IDEMPOTENCY_KEY_REUSED
    }

    private final Reason reason;

    public CheckoutRefused(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
