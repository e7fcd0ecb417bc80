package dev.ficus.toolkit.messaging;

/** Names on the broker: which partition a key falls in, routing keys, queues. */
final class Partitions {

    private Partitions() {
    }

    /** {@code String.hashCode} is specified, so every publisher in every language version agrees. */
    static int of(String key, int partitions) {
        return Math.floorMod(key.hashCode(), partitions);
    }

    static String routingKey(String type, int partition) {
        return type + "." + partition;
    }

    static String queue(String consumer, int partition) {
        return consumer + "." + partition;
    }

    static String deadLetters(String consumer) {
        return consumer + ".dead-letters";
    }
}
