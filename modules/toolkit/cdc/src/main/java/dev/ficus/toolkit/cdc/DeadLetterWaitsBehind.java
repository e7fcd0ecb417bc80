package dev.ficus.toolkit.cdc;

/** A dead letter cannot be replayed before the one it waits behind: a row's changes go in order. */
public class DeadLetterWaitsBehind extends IllegalArgumentException {

    public DeadLetterWaitsBehind(long id, long behind) {
        super("Dead letter " + id + " waits behind dead letter " + behind + ": replay that one, and this one follows");
    }
}
