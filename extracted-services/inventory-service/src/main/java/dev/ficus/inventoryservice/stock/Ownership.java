package dev.ficus.inventoryservice.stock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.ficus.toolkit.replication.ExtractionPhase;
import dev.ficus.toolkit.replication.Replication;

/**
 * Whose the stock is: the shop's while replication keeps a read copy of it here, this service's
 * once writes moved here (or when it runs without replication, owning its data outright).
 */
@Component
class Ownership {

    private final ObjectProvider<Replication> replication;

    Ownership(ObjectProvider<Replication> replication) {
        this.replication = replication;
    }

    boolean writesHere() {
        Replication copy = replication.getIfAvailable();
        return copy == null || copy.phase() == ExtractionPhase.WRITES_MOVED;
    }

    /** For a write from outside (a restock). */
    void requireWritesHere() {
        Replication copy = replication.getIfAvailable();
        if (copy != null) {
            copy.requireWritesHere();
        }
    }

    /**
     * Takes the stock over: the shop's tables are fenced, and once replication applied every change
     * the shop made before, writes move here (see {@link Replication#switchPhase}). Again after it
     * happened, it only checks the fences.
     */
    void takeOver() {
        Replication copy = replication.getIfAvailable();
        if (copy != null) {
            copy.switchPhase(ExtractionPhase.WRITES_MOVED);
        }
    }
}
