package dev.ficus.toolkit.cache;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Carries evictions from the one instance that streams changes to all other instances of the
 * application, over PostgreSQL's LISTEN/NOTIFY: every instance's caches stay correct, though
 * only one reads the write-ahead log.
 *
 * <p>Notifications reach only connected listeners. An instance that loses its listening
 * connection may have missed some, so it empties its caches when it reconnects, and reports
 * itself not ready while disconnected.
 */
class EvictionBroadcast implements SmartLifecycle {

    static final String CHANNEL = "ficus_cache_evictions";

    private static final Logger log = LoggerFactory.getLogger(EvictionBroadcast.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One notification; PostgreSQL takes payloads below 8000 bytes, so large batches are split. */
    private record Message(String from, List<CacheInvalidation.Eviction> evictions) {
    }

    private static final int MAX_PAYLOAD = 7_000;

    private final String instance = UUID.randomUUID().toString();
    private final JdbcClient jdbc;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Runnable evictEverything;
    private volatile Consumer<CacheInvalidation.Eviction> receiver = eviction -> { };
    private volatile boolean running;
    private volatile boolean listening;
    private Thread listener;

    EvictionBroadcast(JdbcClient jdbc, String jdbcUrl, String user, String password, Runnable evictEverything) {
        this.jdbc = jdbc;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.evictEverything = evictEverything;
    }

    void receiveWith(Consumer<CacheInvalidation.Eviction> receiver) {
        this.receiver = receiver;
    }

    boolean listening() {
        return listening;
    }

    void publish(List<CacheInvalidation.Eviction> evictions) {
        String payload = JSON.writeValueAsString(new Message(instance, evictions));
        if (payload.length() > MAX_PAYLOAD && evictions.size() > 1) {
            int half = evictions.size() / 2;
            publish(evictions.subList(0, half));
            publish(evictions.subList(half, evictions.size()));
            return;
        }
        jdbc.sql("select pg_notify(?, ?)").params(CHANNEL, payload).query(Object.class).single();
    }

    @Override
    public synchronized void start() {
        running = true;
        listener = Thread.ofPlatform().daemon().name("ficus-cache-evictions").start(this::listen);
    }

    @Override
    public void stop() {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        boolean connectedBefore = false;
        while (running) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password)) {
                try (var statement = connection.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                }
                if (connectedBefore) {
                    // Evictions sent while this instance was not listening are lost: start afresh.
                    evictEverything.run();
                }
                connectedBefore = true;
                listening = true;
                PGConnection notifications = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] received = notifications.getNotifications(1_000);
                    if (received != null) {
                        for (PGNotification notification : received) {
                            receive(notification.getParameter());
                        }
                    }
                }
            }
            catch (SQLException e) {
                if (running) {
                    log.warn("Lost the cache eviction channel; reconnecting: {}", e.toString());
                }
            }
            finally {
                listening = false;
            }
            pause(Duration.ofSeconds(1));
        }
    }

    private void receive(String payload) {
        Message message = JSON.readValue(payload, Message.class);
        if (!instance.equals(message.from())) {
            message.evictions().forEach(receiver);
        }
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
