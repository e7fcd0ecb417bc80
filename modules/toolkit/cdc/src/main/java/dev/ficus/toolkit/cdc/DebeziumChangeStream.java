package dev.ficus.toolkit.cdc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Runs Debezium's embedded PostgreSQL connector for the application.
 *
 * <p>Only one instance of the application streams at a time: the one holding the stream's
 * {@link Lease}, a PostgreSQL advisory lock named after the replication slot on a session that
 * the server ends when the leader stops renewing it. The leader renews only while its stream
 * makes progress. The others wait in STANDBY and take over once the lease is free, whether the
 * leader stopped, died, froze or was cut off; the new leader first ends the old one's replication
 * connection, which the server would otherwise keep for {@code wal_sender_timeout}. The position
 * is read from the shared offset table, so the new leader continues where the old one last saved.
 *
 * <p>The captured database and the stream's home (where its position and dead letters are kept)
 * are usually the same; an extracted service streams from the monolith's database and keeps its
 * position in its own.
 */
class DebeziumChangeStream implements ManagedChangeStream {

    private static final Logger log = LoggerFactory.getLogger(DebeziumChangeStream.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final ChangeStreamProperties properties;
    private final PostgresDatabase captured;
    private final PostgresDatabase home;
    private final ChangeDispatcher dispatcher;
    private final JdbcDeadLetters deadLetters;
    private final SlotMonitor slot;
    private final JdbcClient homeJdbc;
    private final Set<String> tables;

    /** Debezium names its JMX beans after the stream; this keeps two streams in one JVM apart. */
    private final String instance = UUID.randomUUID().toString().substring(0, 8);
    private volatile State state = State.STOPPED;
    private volatile boolean running;
    private volatile DebeziumEngine<?> engine;
    /** The lease of the current run, while this instance leads. */
    private volatile Lease lease;
    private volatile String lastError;
    private volatile Instant lastErrorAt = Instant.EPOCH;
    private Thread leader;

    DebeziumChangeStream(ChangeStreamProperties properties, PostgresDatabase captured, PostgresDatabase home,
            ChangeDispatcher dispatcher, JdbcDeadLetters deadLetters, SlotMonitor slot, JdbcClient homeJdbc) {
        this.properties = properties;
        this.captured = captured;
        this.home = home;
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.slot = slot;
        this.homeJdbc = homeJdbc;
        Set<String> streamed = new TreeSet<>(properties.tables());
        streamed.addAll(dispatcher.subscribedTables());
        this.tables = Set.copyOf(streamed);
    }

    /** A leader whose lease ran out (it was paused, say) stands by, though it has not noticed yet. */
    @Override
    public State state() {
        State current = state;
        Lease held = lease;
        if (current == State.STREAMING && held != null && !held.held()) {
            return State.STANDBY;
        }
        return current;
    }

    @Override
    public Set<String> tables() {
        return tables;
    }

    @Override
    public Optional<Duration> lastLag() {
        return Optional.ofNullable(dispatcher.lastLag());
    }

    @Override
    public Optional<Instant> currentAsOf() {
        Optional<Instant> here = dispatcher.currentAsOf();
        if (state == State.STREAMING && here.isPresent()) {
            // This instance streams: what it holds is at least as new as what it last saved.
            return here;
        }
        // Another instance may stream (or did since): what it saved says how far it got.
        Optional<Instant> saved = StoredPosition.committedAt(homeJdbc, properties.schema(), properties.name());
        if (here.isEmpty()) {
            return saved;
        }
        if (saved.isEmpty()) {
            return here;
        }
        return Optional.of(here.get().isAfter(saved.get()) ? here.get() : saved.get());
    }

    @Override
    public Optional<String> lastError() {
        String error = lastError;
        return error != null && lastErrorAt.isAfter(dispatcher.lastProgress()) ? Optional.of(error) : Optional.empty();
    }

    @Override
    public Optional<Slot> slot() {
        return slot.current();
    }

    @Override
    public List<Slot> abandonedSlots() {
        return slot.abandoned();
    }

    @Override
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        if (tables.isEmpty()) {
            log.info("Change stream {}: no table to capture, not started", properties.name());
            return;
        }
        if (properties.failFast()) {
            refuseWhatCannotStream();
        }
        running = true;
        leader = new Thread(this::lead, "ficus-cdc-" + properties.name());
        leader.setDaemon(true);
        leader.start();
    }

    /** At start: a database that can never be streamed from stops the application, with what to do. */
    private void refuseWhatCannotStream() {
        Optional<String> problem;
        try {
            problem = CaptureReadiness.problem(captured, properties.slot());
        }
        catch (SQLException e) {
            // Not reachable now: the stream tries until it is.
            return;
        }
        problem.ifPresent(cannot -> {
            throw new IllegalStateException(cannot + ". To start anyway, with the stream retrying and the caches it "
                    + "invalidates bypassed, set ficus.cdc.fail-fast=false");
        });
    }

    @Override
    public void stop() {
        Thread thread;
        synchronized (this) {
            running = false;
            thread = leader;
        }
        closeEngine();
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(CLOSE_TIMEOUT.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warn("Change stream {} did not stop within {}", properties.name(), CLOSE_TIMEOUT);
            }
        }
        state = State.STOPPED;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After every other bean is ready; stopped (and its position saved) before the others stop. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }

    private void lead() {
        // A database that cannot be streamed from is asked ever less often; other failures (a database
        // restarting, a connection lost) are retried at the usual pace, so the stream is back soon.
        Duration backoff = properties.restartBackoff();
        while (running) {
            boolean cannotStream = false;
            try (Connection session = DriverManager.getConnection(captured.jdbcUrl(), captured.user(),
                    captured.password())) {
                Lease lease = Lease.tryTake(session, properties.slot(), properties.lease());
                if (lease == null) {
                    state = State.STANDBY;
                    session.close();
                    pause(properties.lockRetryInterval());
                    continue;
                }
                try {
                    Optional<Slot> current = slot.read();
                    Optional<String> cannot = CaptureReadiness.problem(captured, properties.slot());
                    if (current.isPresent() && current.get().lost()) {
                        reportLost(current.get());
                    }
                    else if (cannot.isPresent()) {
                        cannotStream = true;
                        failedAndSaid(cannot.get(), null);
                    }
                    else {
                        endPreviousLeadersConnection(lease);
                        log.info("Change stream {} leads: streaming {} from slot {}", properties.name(), tables,
                                properties.slot());
                        stream(lease);
                    }
                }
                finally {
                    lease.release();
                }
            }
            catch (Exception e) {
                if (running) {
                    failedAndSaid(String.valueOf(e.getMessage()), e);
                }
            }
            if (running) {
                backoff = cannotStream ? backoff : properties.restartBackoff();
                pause(backoff);
                if (cannotStream) {
                    backoff = backoff.multipliedBy(2).compareTo(properties.maxRestartBackoff()) > 0
                            ? properties.maxRestartBackoff() : backoff.multipliedBy(2);
                }
            }
        }
    }

    /**
     * Fails, and says so: in full the first time, in one line when the same failure repeats (a
     * stream that cannot start must not fill the log).
     */
    private void failedAndSaid(String message, Exception error) {
        boolean again = message.equals(lastError);
        failed(message);
        if (again) {
            log.debug("Change stream {} failed again: {}", properties.name(), message);
        }
        else if (error == null) {
            log.error("Change stream {}: {}", properties.name(), message);
        }
        else {
            log.warn("Change stream {} failed; restarting with a backoff: {}", properties.name(), message, error);
        }
    }

    /** A slot PostgreSQL invalidated has lost changes for good: say so and what to do, never retry silently. */
    private void reportLost(Slot lost) {
        String message = "Replication slot '" + lost.name() + "' was invalidated by PostgreSQL (wal_status lost): the "
                + "stream fell further behind than max_slot_wal_keep_size allows, and the changes it missed cannot be "
                + "read any more. To recover, take a new snapshot: in the captured database run "
                + "select pg_drop_replication_slot('" + lost.name() + "'); in the stream's database run "
                + "delete from " + properties.schema() + ".offsets where stream = '" + properties.name() + "'; then "
                + "restart, with snapshot mode 'initial' (a replication then copies every row again; reconcile with "
                + "repair afterwards to remove rows deleted meanwhile). Caches fed by this stream start cold.";
        if (!message.equals(lastError)) {
            log.error("Change stream {}: {}", properties.name(), message);
        }
        failed(message);
    }

    private void failed(String message) {
        state = State.FAILED;
        lastError = message;
        lastErrorAt = Instant.now();
    }

    /**
     * A leader that lost its lease without closing its replication connection (frozen, cut off)
     * keeps the slot busy until the server's {@code wal_sender_timeout}: the lease says it is no
     * longer the leader, so its connection is ended now (again, should it come back), and the slot
     * awaited, for half a term at most, renewing the lease meanwhile.
     */
    private void endPreviousLeadersConnection(Lease lease) throws SQLException {
        try (Connection connection = DriverManager.getConnection(captured.jdbcUrl(), captured.user(),
                captured.password());
             var terminate = connection.prepareStatement("select pg_terminate_backend(active_pid) "
                     + "from pg_replication_slots where slot_name = ? and active_pid is not null")) {
            terminate.setString(1, properties.slot());
            long deadline = System.nanoTime() + properties.lease().toNanos() / 2;
            boolean ended = false;
            while (running && lease.held() && System.nanoTime() - deadline < 0) {
                try (var result = terminate.executeQuery()) {
                    if (!result.next()) {
                        return;
                    }
                }
                if (!ended) {
                    log.warn("Change stream {}: ended the replication connection of the previous leader, which lost "
                            + "its lease", properties.name());
                    ended = true;
                }
                pause(Duration.ofMillis(100));
                lease.renew();
            }
        }
    }

    /** Runs the connector until it stops, fails, or the lease is lost. */
    private void stream(Lease lease) throws Exception {
        state = State.STARTING;
        this.lease = lease;
        var consumer = dispatcher.startRun(lease.token(), lease::held);
        DebeziumEngine<?> created = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(connectorProperties(lease))
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void pollingStarted() {
                        state = State.STREAMING;
                    }
                })
                .using((success, message, error) -> {
                    if (!success && running) {
                        failedAndSaid(error != null && error.getMessage() != null ? error.getMessage() : message,
                                error instanceof Exception exception ? exception : null);
                    }
                })
                .notifying(consumer)
                .build();
        synchronized (this) {
            if (!running) {
                dispatcher.endRun();
                return;
            }
            engine = created;
        }
        Thread watchdog = new Thread(() -> renewWhileProgressing(lease), "ficus-cdc-lease-" + properties.name());
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            created.run();
        }
        finally {
            watchdog.interrupt();
            closeEngine();
            engine = null;
            // Before the lock goes: no batch of this run is handled any more, here or late.
            dispatcher.endRun();
            this.lease = null;
        }
        if (running && state != State.FAILED) {
            failed("The connector stopped");
        }
    }

    /**
     * Renews the lease four times a term while the stream makes progress. A stream that made none
     * for {@code stall-timeout} gives the lease up, so that another instance may do better; a lost
     * lease means another instance may take over: either way, stop streaming at once. A slot
     * PostgreSQL gave up on will never stream again (the connector would keep trying for half an
     * hour): stop, and let the leader report it.
     */
    private void renewWhileProgressing(Lease lease) {
        Duration interval = properties.lease().dividedBy(4);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(interval.toMillis());
                Duration idle = dispatcher.sinceActivity();
                if (idle.compareTo(properties.stallTimeout()) > 0) {
                    log.warn("Change stream {} made no progress for {}; giving up its lease", properties.name(), idle);
                    lease.release();
                    failed("The stream made no progress for " + idle.toSeconds() + " s and gave up its lease");
                    closeEngine();
                    return;
                }
                if (!lease.renew()) {
                    log.warn("Change stream {} lost its lease; stopping", properties.name());
                    closeEngine();
                    return;
                }
                if (slot.current().map(Slot::lost).orElse(false)) {
                    closeEngine();
                    return;
                }
            }
        }
        catch (InterruptedException e) {
            // stream ended
        }
    }

    /**
     * Closes the connector. Debezium refuses while its task is still starting (it would leak the
     * task's connections), so this tries again until it can: a stream that is stopped must let go
     * of its lock, or no other instance could ever take over.
     */
    private void closeEngine() {
        DebeziumEngine<?> current = engine;
        if (current == null) {
            return;
        }
        Instant deadline = Instant.now().plus(CLOSE_TIMEOUT);
        while (true) {
            try {
                current.close();
                return;
            }
            catch (IllegalStateException notNow) {
                if (!String.valueOf(notNow.getMessage()).contains("starting")) {
                    return;
                }
                if (Instant.now().isAfter(deadline)) {
                    log.warn("Could not close the change stream's connector within {}", CLOSE_TIMEOUT, notNow);
                    return;
                }
                try {
                    Thread.sleep(50);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            catch (IOException | RuntimeException e) {
                log.warn("Could not close the change stream's connector", e);
                return;
            }
        }
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

    Properties connectorProperties(Lease lease) {
        String schema = properties.schema();
        String heartbeatTable = schema + ".heartbeat";
        Properties connector = new Properties();
        connector.setProperty("name", properties.name());
        connector.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        connector.setProperty("topic.prefix", properties.name());
        connector.setProperty("database.hostname", captured.host());
        connector.setProperty("database.port", Integer.toString(captured.port()));
        connector.setProperty("database.dbname", captured.database());
        connector.setProperty("database.user", captured.user());
        connector.setProperty("database.password", captured.password());
        connector.setProperty("plugin.name", "pgoutput");
        connector.setProperty("slot.name", properties.slot());
        connector.setProperty("publication.name", properties.publication());
        connector.setProperty("publication.autocreate.mode", "filtered");
        connector.setProperty("table.include.list", includeList(tables, heartbeatTable));
        if (properties.fullReplicaIdentity()) {
            connector.setProperty("replica.identity.autoset.values", tables.stream()
                    .map(table -> table.replace(".", "\\.") + ":FULL")
                    .collect(Collectors.joining(",")));
        }
        connector.setProperty("snapshot.mode", properties.snapshotMode());
        connector.setProperty("skipped.operations", "none");
        // Transaction boundaries, so that a batch handed to subscribers never ends inside a transaction.
        connector.setProperty("provide.transaction.metadata", "true");
        // Intervals as ISO 8601 text: the default, microseconds with 30-day months, is not exact.
        connector.setProperty("interval.handling.mode", "string");
        connector.setProperty("heartbeat.interval.ms", Long.toString(properties.heartbeatInterval().toMillis()));
        connector.setProperty("heartbeat.action.query", StreamTables.heartbeatQuery(schema, properties.name()));
        connector.setProperty("poll.interval.ms", Long.toString(properties.pollInterval().toMillis()));
        connector.setProperty("offset.flush.interval.ms", Long.toString(properties.offsetFlushInterval().toMillis()));
        connector.setProperty("offset.storage", PostgresOffsetStore.class.getName());
        connector.setProperty(PostgresOffsetStore.JDBC_URL, home.jdbcUrl());
        connector.setProperty(PostgresOffsetStore.USER, home.user());
        connector.setProperty(PostgresOffsetStore.PASSWORD, home.password());
        connector.setProperty(PostgresOffsetStore.TABLE, schema + ".offsets");
        connector.setProperty(PostgresOffsetStore.STREAM, properties.name());
        connector.setProperty(PostgresOffsetStore.LEASE, lease.token());
        connector.setProperty("errors.max.retries", "3");
        connector.setProperty("custom.metric.tags", "instance=" + instance);
        properties.debezium().forEach(connector::setProperty);
        return connector;
    }

    /** Debezium's include lists are regular expressions. */
    private static String includeList(Set<String> tables, String heartbeatTable) {
        Set<String> included = new TreeSet<>(tables);
        included.add(heartbeatTable);
        return included.stream().map(table -> table.replace(".", "\\.")).collect(Collectors.joining(","));
    }
}
