package dev.ficus.shop.orders.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.ficus.shop.orders.CheckoutRefused;
import dev.ficus.shop.orders.CheckoutRefused.Reason;
import dev.ficus.shop.orders.PlaceOrder;

/**
 * The orders placed per client key ({@code orders.idempotency_keys}). A key is claimed in the
 * transaction that places its order: a second request with the same key waits on the first's row
 * lock until that transaction ends, then finds its order (or, if it rolled back, claims the key).
 */
@Component
class IdempotencyKeys {

    private final JdbcClient jdbc;

    IdempotencyKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims the key for a new order with the given id; or, when the key placed an order before,
     * that order's id.
     *
     * @throws CheckoutRefused if the key placed an order for a different request
     */
    Optional<UUID> claim(String key, PlaceOrder request, UUID orderId, Instant now) {
        String fingerprint = fingerprint(request);
        int claimed = jdbc.sql("""
                insert into orders.idempotency_keys (customer_id, idempotency_key, fingerprint, order_id, created_at)
                values (?, ?, ?, ?, ?) on conflict do nothing""")
                .params(request.customerId(), key, fingerprint, orderId, java.sql.Timestamp.from(now))
                .update();
        if (claimed == 1) {
            return Optional.empty();
        }
        var earlier = jdbc.sql("""
                select fingerprint, order_id from orders.idempotency_keys
                where customer_id = ? and idempotency_key = ?""")
                .params(request.customerId(), key)
                .query((row, number) -> new Claim(row.getString(1), row.getObject(2, UUID.class)))
                .single();
        if (!earlier.fingerprint().equals(fingerprint)) {
            throw new CheckoutRefused(Reason.IDEMPOTENCY_KEY_REUSED,
                    "The Idempotency-Key " + key + " placed a different order before; use a new key for a new order");
        }
        return Optional.of(earlier.orderId());
    }

    private record Claim(String fingerprint, UUID orderId) {
    }

    /** The customer and the quantity per SKU: the same order, however its lines are listed. */
    static String fingerprint(PlaceOrder request) {
        java.util.SortedMap<String, Integer> quantities = new java.util.TreeMap<>();
        request.lines().forEach(line -> quantities.merge(line.sku(), line.quantity(), Integer::sum));
        StringBuilder canonical = new StringBuilder(request.customerId().toString());
        quantities.forEach((sku, quantity) -> canonical.append('\n').append(sku).append(' ').append(quantity));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256", e);
        }
    }
}
