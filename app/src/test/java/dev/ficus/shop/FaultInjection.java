package dev.ficus.shop;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Makes the inventory's reservation fail for real, inside PostgreSQL: a trigger on one SKU's
 * stock row raises an error the first {@code times} times the row is updated. A sequence counts
 * the attempts because, unlike a table, it is not rolled back with the failing transaction.
 */
record FaultInjection(JdbcClient jdbc, String sku) implements AutoCloseable {

    static FaultInjection failStockUpdates(JdbcClient jdbc, String sku, int times) {
        String name = name(sku);
        jdbc.sql("create sequence inventory.%s".formatted(name)).update();
        jdbc.sql("""
                create function inventory.%1$s() returns trigger language plpgsql as $$
                begin
                    if nextval('inventory.%1$s') <= %2$d then
                        raise exception 'injected fault for %3$s';
                    end if;
                    return new;
                end $$""".formatted(name, times, sku)).update();
        jdbc.sql("""
                create trigger %1$s before update on inventory.stock
                for each row when (new.sku = '%2$s') execute function inventory.%1$s()""".formatted(name, sku)).update();
        return new FaultInjection(jdbc, sku);
    }

    /** How often the guarded update was tried, failed attempts included. */
    long attempts() {
        return jdbc.sql("select case when is_called then last_value else 0 end from inventory.%s".formatted(name(sku)))
                .query(Long.class).single();
    }

    @Override
    public void close() {
        String name = name(sku);
        jdbc.sql("drop trigger if exists %s on inventory.stock".formatted(name)).update();
        jdbc.sql("drop function if exists inventory.%s()".formatted(name)).update();
        jdbc.sql("drop sequence if exists inventory.%s".formatted(name)).update();
    }

    private static String name(String sku) {
        return "fault_" + sku.toLowerCase().replaceAll("[^a-z0-9]", "_");
    }
}
