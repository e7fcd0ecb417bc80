package dev.ficus.inventoryservice.stock;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The tables {@code inventory.stock} and {@code inventory.reservations}, shaped as the shop's are
 * (replication fills them until writes move here). Every write raises a row's version, which is
 * how replication tells a newer row from an older one.
 */
@Component
class Shelves {

    private final JdbcClient jdbc;

    Shelves(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    StockLevel level(String sku) {
        return jdbc.sql("select sku, on_hand, reserved from inventory.stock where sku = ?").param(sku)
                .query((row, number) -> level(row.getString(1), row.getInt(2), row.getInt(3)))
                .optional().orElse(level(sku, 0, 0));
    }

    /** The stock rows of these SKUs, in SKU order; locked until the transaction ends when {@code lock}. */
    Map<String, StockLevel> levels(Collection<String> skus, boolean lock) {
        Map<String, StockLevel> levels = new LinkedHashMap<>();
        jdbc.sql("select sku, on_hand, reserved from inventory.stock where sku = any(?) order by sku"
                        + (lock ? " for update" : ""))
                .param(skus.toArray(String[]::new))
                .query((row, number) -> level(row.getString(1), row.getInt(2), row.getInt(3)))
                .list().forEach(level -> levels.put(level.sku(), level));
        return levels;
    }

    StockLevel restock(String sku, int quantity) {
        return jdbc.sql("""
                insert into inventory.stock (sku, on_hand, reserved, version) values (?, ?, 0, 0)
                on conflict (sku) do update set on_hand = stock.on_hand + excluded.on_hand, version = stock.version + 1
                returning sku, on_hand, reserved""")
                .params(sku, quantity)
                .query((row, number) -> level(row.getString(1), row.getInt(2), row.getInt(3)))
                .single();
    }

    void reserve(String sku, int quantity) {
        jdbc.sql("update inventory.stock set reserved = reserved + ?, version = version + 1 where sku = ?")
                .params(quantity, sku).update();
    }

    /** Whether a reference was decided, and how: as the shop's module writes it (RESERVED or SHORTAGE). */
    Optional<Decision> decision(UUID reference) {
        return jdbc.sql("select outcome, missing_skus from inventory.reservations where reference = ?").param(reference)
                .query((row, number) -> new Decision("RESERVED".equals(row.getString(1)),
                        row.getString(2) == null ? List.of() : List.of(row.getString(2).split(","))))
                .optional();
    }

    void decide(UUID reference, List<String> missingSkus) {
        jdbc.sql("""
                insert into inventory.reservations (reference, outcome, missing_skus, decided_at, version)
                values (?, ?, ?, now(), 0)""")
                .params(reference, missingSkus.isEmpty() ? "RESERVED" : "SHORTAGE",
                        missingSkus.isEmpty() ? null : String.join(",", missingSkus))
                .update();
    }

    record Decision(boolean reserved, List<String> missingSkus) {
    }

    /** The SKUs that lack stock for what is wanted, in SKU order. */
    static List<String> missing(Map<String, Integer> wanted, Map<String, StockLevel> levels) {
        List<String> missing = new ArrayList<>();
        wanted.forEach((sku, quantity) -> {
            StockLevel level = levels.get(sku);
            if (level == null || level.available() < quantity) {
                missing.add(sku);
            }
        });
        return missing;
    }

    private static StockLevel level(String sku, int onHand, int reserved) {
        return new StockLevel(sku, onHand, reserved, onHand - reserved);
    }
}
