package dev.ficus.toolkit.cache;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Carries evictions from the one instance that streams changes to all instances of the
 * application, over PostgreSQL's LISTEN/NOTIFY: every instance's caches stay correct, though only
 * one reads the write-ahead log.
 *
 * <p>Each message of the streaming instance is numbered and says how current the stream is (the
 * commit time of its latest handled position); the streaming instance also sends such a heartbeat
 * while nothing changes. A listener keeps {@link Freshness} from it, and empties its caches when it
 * may have missed something: each time it starts listening, on a gap in the numbers, and when
 * another instance takes the stream over. A dead listening connection is found by a periodic
 * query. A message that is not ours (a stray {@code NOTIFY}, another version's format) is counted
 * and skipped; so is a message of another stream (another application on the same database).
 *
 * <p>The streaming instance's messages also carry the second tier's epoch, with the namespace it
 * belongs to and the caches invalidated there: the only one the listeners may read and write the
 * second tier with, taken in before the message's evictions.
 */
class EvictionBroadcast implements SmartLifecycle {

    static final String CHANNEL = "ficus_cache_evictions";
    /** PostgreSQL takes payloads shorter than 8000 bytes; larger batches are split. */
    static final int MAX_PAYLOAD_BYTES = 7_900;

    private static final Logger log = LoggerFactory.getLogger(EvictionBroadcast.class);
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    /**
     * One notification.
     *
     * @param stream      the change stream whose evictions it carries ({@code ficus.cdc.name})
     * @param from        the streaming instance that sent it
     * @param number      its number among that instance's messages, from 1; 0 for an eviction the
     *                    application asked for ({@link CacheAside#evictEverywhere}), which any
     *                    instance may send and which says nothing about the stream
     * @param asOf        every change committed before this was handled and its evictions sent before
     *                    this message; null if not known yet
     * @param committedAt commit time of the earliest change whose evictions it carries; null for a heartbeat
     * @param evictions   what to evict; empty for a heartbeat
     * @param secondTier  the second tier's epoch, the one to use from this message on, with its
     *                    namespace and the caches invalidated there; null: do not use the second
     *                    tier (the streaming instance has none, Redis failed it, or it does not fit
     *                    the message). Unused in messages numbered 0
     */
    record Message(String stream, String from, long number, Instant asOf, Instant committedAt,
            List<CacheInvalidation.Eviction> evictions, SharedTier.Epoch secondTier) {

        boolean valid() {
            return stream != null && from != null && number >= 0 && evictions != null && evictions.stream()
                    .allMatch(eviction -> eviction != null && eviction.cache() != null)
                    && (number > 0 || !evictions.isEmpty());
        }
    }

    private final String instance = UUID.randomUUID().toString();
    private final String stream;
    private final JdbcTemplate jdbc;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final CacheProperties.EvictionChannel settings;
    private final Freshness freshness;
    private final Supplier<Optional<Instant>> streaming;
    private final Consumer<String> evictEverything;
    private final SharedTier secondTier;
    private final Counter rejected;
    private final Timer evictionLag;
    private volatile Consumer<CacheInvalidation.Eviction> receiver = eviction -> { };
    private volatile Consumer<CacheInvalidation.Eviction> directReceiver = eviction -> { };
    private volatile boolean running;
    private volatile boolean listening;
    private long sent;
    private Thread listener;
    private Thread heartbeat;

    /**
     * @param stream          the name of the change stream whose evictions this carries
     * @param streaming       how current this instance's own stream is, while it streams
     * @param evictEverything empties every cache, for the reason given
     * @param secondTier      whose epoch the streaming instance announces, and the others follow
     */
    EvictionBroadcast(String stream, DataSource dataSource, String jdbcUrl, String user, String password,
            CacheProperties.EvictionChannel settings, Freshness freshness, Supplier<Optional<Instant>> streaming,
            Consumer<String> evictEverything, SharedTier secondTier, MeterRegistry meters) {
        this.stream = stream;
        this.jdbc = new JdbcTemplate(dataSource);
        // A notification that cannot be sent in time fails the batch (which comes again), rather
        // than hold up the stream behind a database that does not answer.
        this.jdbc.setQueryTimeout((int) Math.max(1, settings.checkTimeout().toSeconds()));
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.settings = settings;
        this.freshness = freshness;
        this.streaming = streaming;
        this.evictEverything = evictEverything;
        this.secondTier = secondTier;
        this.rejected = Counter.builder("ficus.cache.eviction.messages.rejected")
                .description("Notifications on the eviction channel that are not eviction messages; skipped")
                .register(meters);
        this.evictionLag = Timer.builder("ficus.cache.eviction.lag")
                .description("From the commit of a change until this instance evicted what it made stale")
                .publishPercentileHistogram()
                .register(meters);
    }

    /** @param receiver applies the streaming instance's evictions */
    void receiveWith(Consumer<CacheInvalidation.Eviction> receiver) {
        this.receiver = receiver;
    }

    /** @param receiver applies the evictions another instance's application asked for */
    void receiveDirectWith(Consumer<CacheInvalidation.Eviction> receiver) {
        this.directReceiver = receiver;
    }

    boolean listening() {
        return listening;
    }

    /** Records, on the streaming instance, how long its own evictions took. */
    void evictedHere(Instant committedAt) {
        evictionLag.record(Duration.between(committedAt, Instant.now()));
    }

    /**
     * Sends an eviction the application asked for to the other instances, unnumbered: any
     * instance may send one. In a transaction, PostgreSQL delivers it when that commits.
     */
    void publishDirect(CacheInvalidation.Eviction eviction) {
        String payload = JSON.writeValueAsString(new Message(stream, instance, 0, null, null, List.of(eviction), null));
        if (tooLarge(payload)) {
            // One key too large to send: the whole cache goes instead.
            publishDirect(CacheInvalidation.Eviction.all(eviction.cache()));
            return;
        }
        jdbc.queryForObject("select pg_notify(?, ?)", Object.class, CHANNEL, payload);
    }

    /**
     * Sends evictions of changes committed since {@code committedAt} to every instance, with the
     * second tier's epoch.
     */
    void publish(List<CacheInvalidation.Eviction> evictions, Instant committedAt, SharedTier.Epoch epoch) {
        if (evictions.isEmpty()) {
            return;
        }
        String payload = JSON.writeValueAsString(new Message(stream, instance, 1, null, committedAt, evictions, epoch));
        if (tooLarge(payload)) {
            if (evictions.size() > 1) {
                int half = evictions.size() / 2;
                publish(evictions.subList(0, half), committedAt, epoch);
                publish(evictions.subList(half, evictions.size()), committedAt, epoch);
                return;
            }
            if (!evictions.get(0).everything()) {
                // One key too large to send: the whole cache goes instead.
                publish(List.of(CacheInvalidation.Eviction.all(evictions.get(0).cache())), committedAt, epoch);
                return;
            }
        }
        send(evictions, committedAt, epoch);
    }

    private static boolean tooLarge(String payload) {
        return payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES - 100;
    }

    /**
     * Numbers and sends one message. Numbers and notifications go out in the same order: one at a
     * time, each committed before the next. A second tier's epoch that does not fit the message is
     * left out: the instances then do not use the second tier.
     */
    private synchronized void send(List<CacheInvalidation.Eviction> evictions, Instant committedAt,
            SharedTier.Epoch epoch) {
        Instant asOf = streaming.get().orElse(null);
        String payload = JSON.writeValueAsString(new Message(stream, instance, sent + 1, asOf, committedAt, evictions,
                epoch));
        if (epoch != null && tooLarge(payload)) {
            log.warn("The second tier's epoch, with the {} caches it names, does not fit a message on {}: the "
                    + "instances do not use the second tier", epoch.caches().size(), CHANNEL);
            payload = JSON.writeValueAsString(new Message(stream, instance, sent + 1, asOf, committedAt, evictions,
                    null));
        }
        jdbc.queryForObject("select pg_notify(?, ?)", Object.class, CHANNEL, payload);
        sent++;
    }

    @Override
    public synchronized void start() {
        running = true;
        listener = daemon("ficus-cache-evictions", this::listen);
        heartbeat = daemon("ficus-cache-heartbeat", this::beat);
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void stop() {
        running = false;
        for (Thread thread : new Thread[] {listener, heartbeat}) {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /**
     * Stops with the change stream, after the application's own shutdown steps that come first (an
     * instance draining from a load balancer keeps hearing evictions while it still serves).
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * While this instance streams, it says how current it is (and the second tier's epoch), also
     * when nothing changes. Every instance looks after its part of the second tier meanwhile.
     */
    private void beat() {
        while (running) {
            pause(settings.heartbeatInterval());
            if (!running) {
                return;
            }
            try {
                if (streaming.get().isPresent()) {
                    secondTier.announce((epoch, emptied) -> {
                        if (emptied.isEmpty()) {
                            send(List.of(), null, epoch);
                            return;
                        }
                        List<CacheInvalidation.Eviction> evictions = emptied.stream()
                                .map(CacheInvalidation.Eviction::all).toList();
                        evictions.forEach(receiver);
                        publish(evictions, null, epoch);
                    });
                }
                else {
                    secondTier.maintain();
                }
            }
            catch (RuntimeException e) {
                log.warn("Could not send a heartbeat on the cache eviction channel: {}", e.toString());
            }
        }
    }

    private void listen() {
        Duration backoff = FIRST_BACKOFF;
        while (running) {
            try (Connection connection = connect()) {
                // A socket timeout: the PostgreSQL driver runs nothing on the executor.
                connection.setNetworkTimeout(Runnable::run, (int) settings.checkTimeout().toMillis());
                try (var statement = connection.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                }
                // Evictions sent while this instance was not listening are lost: start afresh.
                freshness.restart();
                secondTier.forget();
                evictEverything.accept("listening");
                listening = true;
                backoff = FIRST_BACKOFF;
                receiveUntilLost(connection);
            }
            catch (SQLException e) {
                if (running) {
                    log.warn("Lost the cache eviction channel; listening again in {}: {}", backoff, e.toString());
                }
            }
            finally {
                listening = false;
            }
            pause(backoff);
            backoff = backoff.multipliedBy(2).compareTo(settings.maxReconnectBackoff()) > 0
                    ? settings.maxReconnectBackoff() : backoff.multipliedBy(2);
        }
    }

    /**
     * Receives until the connection fails its check: a connection whose socket died silently
     * delivers nothing, which would look just like a quiet channel.
     */
    private void receiveUntilLost(Connection connection) throws SQLException {
        PGConnection notifications = connection.unwrap(PGConnection.class);
        long checkEvery = settings.checkInterval().toNanos();
        long lastCheck = System.nanoTime();
        while (running) {
            PGNotification[] received = notifications.getNotifications(
                    (int) Math.max(1, settings.checkInterval().toMillis() / 2));
            if (received != null) {
                for (PGNotification notification : received) {
                    receive(notification.getParameter());
                }
            }
            if (System.nanoTime() - lastCheck >= checkEvery) {
                try (var statement = connection.createStatement()) {
                    statement.execute("select 1");
                }
                lastCheck = System.nanoTime();
            }
        }
    }

    void receive(String payload) {
        Message message;
        try {
            message = JSON.readValue(payload, Message.class);
        }
        catch (JacksonException e) {
            message = null;
        }
        if (message != null && message.valid() && !stream.equals(message.stream())) {
            // Another application's stream on the same database: not ours to follow.
            return;
        }
        if (message == null || !message.valid()) {
            rejected.increment();
            log.warn("Skipped a notification on {} that is not an eviction message: {}", CHANNEL,
                    payload.length() > 200 ? payload.substring(0, 200) + "…" : payload);
            return;
        }
        if (message.number() == 0) {
            if (!instance.equals(message.from())) {
                message.evictions().forEach(directReceiver);
            }
            return;
        }
        Freshness.Heard heard = freshness.heard(message.from(), message.number());
        if (!instance.equals(message.from())) {
            // Before anything is evicted: no read after an eviction refills memory from an epoch
            // that is no longer invalidated.
            secondTier.heard(message.secondTier());
        }
        if (heard == Freshness.Heard.GAP || heard == Freshness.Heard.NEW_LEADER) {
            evictEverything.accept(heard == Freshness.Heard.GAP ? "gap" : "new-leader");
        }
        if (!instance.equals(message.from())) {
            message.evictions().forEach(receiver);
            if (message.committedAt() != null) {
                evictionLag.record(Duration.between(message.committedAt(), Instant.now()));
            }
        }
        // Only now, with its evictions done, does what the message says about the stream hold here.
        if (message.asOf() != null) {
            freshness.currentAsOf(message.asOf());
        }
    }

    private Connection connect() throws SQLException {
        Properties connection = new Properties();
        connection.setProperty("user", user);
        if (password != null) {
            connection.setProperty("password", password);
        }
        int seconds = (int) Math.max(1, settings.checkTimeout().toSeconds());
        connection.setProperty("connectTimeout", Integer.toString(seconds));
        connection.setProperty("loginTimeout", Integer.toString(seconds));
        connection.setProperty("tcpKeepAlive", "true");
        connection.setProperty("ApplicationName", "ficus cache evictions");
        return DriverManager.getConnection(jdbcUrl, connection);
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
