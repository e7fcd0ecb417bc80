package dev.ficus.toolkit.messaging;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;

/**
 * Shelves items and publishes {@code ItemShelved} through the outbox; a subscription records every
 * event it acts on in {@code shelf.received}, without a unique key, so a duplicate would show.
 */
@SpringBootApplication
class MessagingTestApplication {


    /** An exchange per run, so a run never meets what an earlier one left (its queues expire). */
    static final String EXCHANGE = "messaging-tests-" + UUID.randomUUID().toString().substring(0, 8);
    static final String CONSUMER = "shelf";

    static {
        System.setProperty("ficus.messaging.exchange", EXCHANGE);
    }

    @Bean
    Shelf shelf(Outbox outbox, JdbcClient jdbc) {
        jdbc.sql("""
                create schema if not exists shelf;
                create table if not exists shelf.items (key text not null, seq integer not null, primary key (key, seq));
                create table if not exists shelf.received (
                    id bigserial primary key, message_id uuid not null, key text not null, seq integer not null,
                    position bigint);
                """).update();
        return new Shelf(outbox, jdbc);
    }

    @Bean
    Received received(JdbcClient jdbc) {
        return new Received(jdbc);
    }

    @Bean
    EventSubscription shelved(Received received) {
        return new EventSubscription(CONSUMER, Set.of("ItemShelved"), received);
    }

    static class Shelf {

        private final Outbox outbox;
        private final JdbcClient jdbc;

        Shelf(Outbox outbox, JdbcClient jdbc) {
            this.outbox = outbox;
            this.jdbc = jdbc;
        }

        @Transactional
        public UUID put(String key, int seq, boolean poison) {
            jdbc.sql("insert into shelf.items (key, seq) values (?, ?)").params(key, seq).update();
            return outbox.publish("ItemShelved", 1, key, Map.of("key", key, "seq", seq, "poison", poison));
        }

        @Transactional
        public void putThenFail(String key, int seq) {
            put(key, seq, false);
            throw new IllegalStateException("rolled back after publishing");
        }
    }

    /** Records events in the inbox's transaction; fails on poison while {@link #poisoned} is set. */
    static class Received implements EventHandler {

        final AtomicBoolean poisoned = new AtomicBoolean(true);
        private final JdbcClient jdbc;

        Received(JdbcClient jdbc) {
            this.jdbc = jdbc;
        }

        @Override
        public void handle(ReceivedEvent event) {
            if (event.payload().get("poison").asBoolean() && poisoned.get()) {
                throw new IllegalStateException("poison " + event.key());
            }
            String position = event.header("ficus-position");
            jdbc.sql("insert into shelf.received (message_id, key, seq, position) values (?, ?, ?, ?)")
                    .params(event.id(), event.key(), event.payload().get("seq").asInt(),
                            position == null ? null : Long.valueOf(position))
                    .update();
        }
    }
}
