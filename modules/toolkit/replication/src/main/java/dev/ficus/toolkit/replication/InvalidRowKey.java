package dev.ficus.toolkit.replication;

/** A key asked for does not fit its table: a column is missing or a value has the wrong form. */
public class InvalidRowKey extends IllegalArgumentException {

    public InvalidRowKey(String message) {
        super(message);
    }
}
