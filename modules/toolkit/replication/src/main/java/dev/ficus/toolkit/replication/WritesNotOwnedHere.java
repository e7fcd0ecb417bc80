package dev.ficus.toolkit.replication;

/** A write reached the side of a replication that is only a read copy. */
public class WritesNotOwnedHere extends RuntimeException {

    public WritesNotOwnedHere(String replication) {
        super("Writes are not taken here yet: this is a read copy kept current by replication '" + replication
                + "'; write to its source, or move writes here first (phase WRITES_MOVED).");
    }
}
