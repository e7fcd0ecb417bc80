package dev.ficus.toolkit.replication;

import java.util.Map;

/** Neither the source nor this database has a row with the key asked for. */
public class RowNotFound extends RuntimeException {

    public RowNotFound(String table, Map<String, String> key) {
        super("Neither the source nor this database has a row of " + table + " with key " + key);
    }
}
