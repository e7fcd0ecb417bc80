package dev.ficus.toolkit.replication;

/** A phase switch (or a repair) that would lose or overwrite writes was refused; nothing changed. */
public class PhaseSwitchRefused extends RuntimeException {

    public PhaseSwitchRefused(String message) {
        super(message);
    }
}
