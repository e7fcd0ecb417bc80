package dev.ficus.toolkit.cdc;

/** No pending dead letter has the id asked for. */
public class NoSuchDeadLetter extends IllegalArgumentException {

    public NoSuchDeadLetter(long id) {
        super("No pending dead letter " + id);
    }
}
