package dev.ficus.toolkit.replication;

/** This application does not stream the replication (it runs a one-off command, or has not started yet). */
public class NotStreamingHere extends RuntimeException {

    public NotStreamingHere(String replication) {
        super("Replication " + replication + " does not stream in this application (yet): its dead letters are "
                + "replayed by the instance that streams");
    }
}
