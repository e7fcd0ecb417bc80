/**
 * Events between a monolith and its extracted services over RabbitMQ: an {@link Outbox} written in
 * the transaction that caused each event, relayed by a change stream of its own in commit order
 * with publisher confirms; {@link EventSubscription}s consumed per partition, in order, once (an
 * inbox of message ids), with poison messages dead-lettered and replayable ({@link EventDeadLetters}).
 */
package dev.ficus.toolkit.messaging;
