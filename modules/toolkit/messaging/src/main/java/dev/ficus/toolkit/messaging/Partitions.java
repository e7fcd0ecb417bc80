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

    /** Queues are named after the exchange too: applications on other exchanges of the same broker never meet. */
    static String queue(String exchange, String consumer, int partition) {
        return exchange + "." + consumer + "." + partition;
    }

    /** Where the exchange puts what no queue takes. */
    static String unrouted(String exchange) {
        return exchange + ".unrouted";
    }

    static String deadLetters(String exchange, String consumer) {
        return exchange + "." + consumer + ".dead-letters";
    }
}
