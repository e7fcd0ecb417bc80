package dev.ficus.toolkit.replication;

/** A change lacks a value PostgreSQL did not send (an unchanged TOASTed value without REPLICA IDENTITY FULL). */
class ValueNotSent extends IllegalStateException {

    ValueNotSent(String message) {
        super(message);
    }
}
