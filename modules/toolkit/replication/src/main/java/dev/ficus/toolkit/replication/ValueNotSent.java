package dev.ficus.toolkit.replication;

/**
 * A change carries a value that logical decoding did not send exactly: an unchanged TOASTed value
 * of a table without REPLICA IDENTITY FULL, or a {@code bit varying} (whose length it drops).
 */
class ValueNotSent extends IllegalStateException {

    ValueNotSent(String message) {
        super(message);
    }
}
