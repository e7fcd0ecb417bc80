package dev.ficus.toolkit.cdc;

import java.util.Set;

/**
 * Declares, as a bean, that {@code handler} wants the changes of {@code tables}. The change stream
 * captures every subscribed table.
 *
 * @param name   identifies the subscriber in metrics and dead letters; keep it stable
 * @param tables {@code schema.table} names
 */
public record ChangeSubscription(String name, Set<String> tables, ChangeHandler handler) {

    public ChangeSubscription {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A change subscription needs a name");
        }
        tables = Set.copyOf(tables);
        tables.forEach(ChangeSubscription::requireQualified);
    }

    static void requireQualified(String table) {
        if (!table.matches("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("Tables are named schema.table in lower case, not '" + table + "'");
        }
    }
}
