package dev.ficus.toolkit.messaging;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of events over RabbitMQ ({@code ficus.messaging.*}).
 *
 * @param exchange   the topic exchange every application publishes its events to; consumers' queues
 *                   are named after it ({@code <exchange>.<consumer>.<partition>}), so applications
 *                   on different exchanges of one broker (environments, test runs) never meet
 * @param partitions how many partitions each event type is split into by key: the events of one
 *                   key (an order, a SKU) go to one partition and are consumed in order there;
 *                   publishers and consumers must agree on it
 * @param schema     schema of the outbox and inbox tables (created when missing)
 * @param relay      how the outbox reaches the broker
 * @param consumers  how subscriptions consume
 * @param routedCapabilities routed capabilities (of {@code ficus.routing.capabilities}) whose events
 *                   one side acts on, decided per event
 * @param routeInterval how often each instance brings the event routes in line with the flags
 */
@ConfigurationProperties("ficus.messaging")
public record MessagingProperties(
        @DefaultValue("ficus.events") String exchange,
        @DefaultValue("4") int partitions,
        @DefaultValue("messaging") String schema,
        @DefaultValue Relay relay,
        @DefaultValue Consumers consumers,
        @DefaultValue List<String> routedCapabilities,
        @DefaultValue("1s") Duration routeInterval) {

    public MessagingProperties {
        if (partitions < 1 || partitions > 256) {
            throw new IllegalArgumentException("ficus.messaging.partitions must be 1 to 256, not " + partitions);
        }
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("'" + schema + "' is not a plain lower-case identifier");
        }
    }

    /**
     * @param enabled        relay the outbox (off in an application that only consumes)
     * @param stream         names the relay's change stream and its replication slot (unique per
     *                       PostgreSQL server)
     * @param confirmTimeout longest wait for the broker to confirm a batch; then the relay stops
     *                       there and publishes it again after a pause
     * @param retention      how long relayed outbox rows are kept before they are deleted
     */
    public record Relay(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("outbox_relay") String stream,
            @DefaultValue("5s") Duration confirmTimeout,
            @DefaultValue("1h") Duration retention) {
    }

    /**
     * @param deliveryLimit deliveries of a message that keeps failing before it goes to the
     *                      consumer's dead letters
     * @param maxBackoff    longest pause after a failed delivery before the message is given back
     * @param expires       the broker deletes a consumer's queues, messages and all, once they had
     *                      no consumer this long; unset, never (for throw-away environments)
     */
    public record Consumers(
            @DefaultValue("10") int deliveryLimit,
            @DefaultValue("2s") Duration maxBackoff,
            Duration expires) {
    }
}
