package dev.ficus.toolkit.replication;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import dev.ficus.toolkit.cdc.ChangeStream;
import dev.ficus.toolkit.cdc.ChangeStreamProperties;
import dev.ficus.toolkit.cdc.ChangeStreams;
import dev.ficus.toolkit.cdc.ChangeSubscription;
import dev.ficus.toolkit.cdc.DeadLetters;
import dev.ficus.toolkit.cdc.ManagedChangeStream;
import dev.ficus.toolkit.cdc.PostgresDatabase;

/**
 * Replication as a lifecycle: once the application's own migrations ran, it creates its tables,
 * matches the replicated tables' columns on both sides, and starts streaming from the source.
 */
class DefaultReplication implements Replication, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DefaultReplication.class);
    private static final Duration RETRY = Duration.ofSeconds(5);
    /** How long a phase switch waits for the other side to catch up before it gives up and undoes itself. */
    private static final Duration SWITCH_PATIENCE = Duration.ofSeconds(30);

    private final ReplicationProperties properties;
    private final PostgresDatabase source;
    private final PostgresDatabase home;
    private final DataSource dataSource;
    private final DataSource sourceDataSource;
    private final MeterRegistry meters;
    private final JdbcClient jdbc;
    private final JdbcClient sourceJdbc;
    private final Fences fences;
    private volatile Resolved resolved;
    private volatile ManagedChangeStream stream;
    private volatile boolean running;
    private Thread starter;
    private final AtomicReference<ReconciliationReport> lastReconciliation = new AtomicReference<>();
    /** The phase as last read, for the gauge. */
    private volatile ExtractionPhase lastPhase;

    /** What can only be known once both databases are migrated. */
    private record Resolved(List<TableMapping> tables, ReplicationApplier applier, Reconciler reconciler) {
    }

    DefaultReplication(ReplicationProperties properties, PostgresDatabase home, DataSource dataSource,
            MeterRegistry meters) {
        if (properties.source().url() == null || properties.source().url().isBlank()) {
            throw new IllegalStateException("ficus.replication.source.url is not set: where should "
                    + properties.name() + " replicate from?");
        }
        this.properties = properties;
        this.source = new PostgresDatabase(properties.source().url(), properties.source().username(),
                properties.source().password());
        this.home = home;
        this.dataSource = dataSource;
        this.sourceDataSource = new SimpleDriverDataSource(new org.postgresql.Driver(), source.jdbcUrl(),
                source.user(), source.password());
        this.meters = meters;
        this.jdbc = JdbcClient.create(dataSource);
        this.sourceJdbc = JdbcClient.create(sourceDataSource);
        this.fences = new Fences(properties.schema());
        ReplicationTables.ensureHere(jdbc, properties.schema(), properties.name(), properties.initialPhase());
        // Gauges read what this instance holds in memory: a scrape never waits for a database.
        Gauge.builder("ficus.replication.staleness", this, DefaultReplication::stalenessHere)
                .description("How stale the copy may be, on the instance that streams: every source change "
                        + "committed before then is applied")
                .tag("replication", properties.name()).baseUnit("seconds").register(meters);
        for (ExtractionPhase each : ExtractionPhase.values()) {
            Gauge.builder("ficus.replication.phase", this, replication -> replication.lastPhase == each ? 1 : 0)
                    .description("1 for the phase the replication is in (who owns writes), 0 for the others")
                    .tag("replication", properties.name()).tag("phase", each.name()).register(meters);
        }
        phase();
        Gauge.builder("ficus.replication.reconciliation.differences", lastReconciliation,
                        last -> last.get() == null ? Double.NaN : last.get().mismatches())
                .description("Rows the last reconciliation found missing, unexpected or different")
                .tag("replication", properties.name()).register(meters);
    }

    private Resolved resolved() {
        Resolved current = resolved;
        if (current == null) {
            synchronized (this) {
                current = resolved;
                if (current == null) {
                    current = resolve();
                    resolved = current;
                }
            }
        }
        return current;
    }

    private Resolved resolve() {
        ReplicationTables.ensureInSource(sourceJdbc, properties.schema());
        List<TableMapping> tables = properties.tables().stream()
                .map(table -> TableMapping.resolve(table, sourceJdbc, jdbc, properties.schema(), properties.name()))
                .toList();
        MarkedWrites writes = new MarkedWrites(new JdbcTemplate(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), properties.schema(),
                properties.name());
        return new Resolved(tables, new ReplicationApplier(properties, tables, writes, dataSource, this::phase, meters),
                new Reconciler(tables, source, dataSource, writes, properties.chunkSize(), this::currentAsOf,
                        ChangeStreams.deadLetters(dataSource, properties.schema(), properties.name()),
                        properties.schema(), properties.name()));
    }

    /**
     * Starts streaming in the background: until both databases are reachable and migrated, it
     * retries, so the two sides of a two-way sync may start in any order.
     */
    @Override
    public synchronized void start() {
        if (running || !properties.streaming()) {
            return;
        }
        running = true;
        starter = new Thread(() -> {
            while (running) {
                try {
                    startStreaming();
                    return;
                }
                catch (RuntimeException e) {
                    log.warn("Replication {} cannot start yet, retrying in {}: {}", properties.name(), RETRY,
                            e.getMessage());
                    try {
                        Thread.sleep(RETRY.toMillis());
                    }
                    catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }, "ficus-replication-" + properties.name());
        starter.setDaemon(true);
        starter.start();
    }

    private synchronized void startStreaming() {
        if (!running) {
            return;
        }
        Resolved current = resolved();
        ManagedChangeStream created = ChangeStreams.create(streamSettings(), source, home, dataSource,
                List.of(new ChangeSubscription(properties.name(), current.applier().capturedTables(),
                        current.applier())),
                meters);
        created.start();
        stream = created;
        log.info("Replication {} streams {} from {}", properties.name(), tables(current), source.jdbcUrl());
    }

    private ChangeStreamProperties streamSettings() {
        return new ChangeStreamProperties(true, properties.name(), "", "", Set.of(), properties.schema(),
                properties.snapshotMode(), true, Duration.ofSeconds(1), properties.pollInterval(),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(15),
                Duration.ofSeconds(2), Duration.ofMinutes(1), false, properties.retry(),
                properties.isolationLimit(), properties.retainedWalThreshold(), properties.debezium());
    }

    @Override
    public void stop() {
        Thread thread;
        synchronized (this) {
            running = false;
            thread = starter;
        }
        if (thread != null) {
            thread.interrupt();
        }
        synchronized (this) {
            ManagedChangeStream current = stream;
            if (current != null) {
                current.stop();
                stream = null;
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** With the application's own change stream: after every other bean, stopped before them. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }

    @Override
    public ReplicationStatus status() {
        ManagedChangeStream current = stream;
        Resolved known = resolved;
        Optional<Instant> asOf = currentAsOf();
        return new ReplicationStatus(properties.name(), source.jdbcUrl(),
                current == null ? ChangeStream.State.STOPPED : current.state(), phase(),
                known == null ? Map.of() : tables(known),
                current == null ? null : current.lastLag().orElse(null),
                asOf.orElse(null),
                asOf.map(instant -> Duration.between(instant, Instant.now())).orElse(null),
                current == null ? null : current.lastError().orElse(null),
                current == null ? 0 : current.deadLetters().pendingCount(),
                current == null ? null : current.deadLetters().oldestPending().orElse(null),
                known == null ? Map.of() : known.applier().schemaProblems(),
                conflictCount(),
                current == null ? null : current.slot().orElse(null),
                lastReconciliation.get());
    }

    private long conflictCount() {
        return jdbc.sql("select count(*) from " + ReplicationTables.conflicts(properties.schema())
                + " where replication = ?").param(properties.name()).query(Long.class).single();
    }

    /** How current the copy is: every source change committed before this instant is applied (or dead-lettered). */
    private Optional<Instant> currentAsOf() {
        ManagedChangeStream current = stream;
        if (current != null) {
            return current.currentAsOf();
        }
        return ChangeStreams.savedCurrentAsOf(home, properties.schema(), properties.name());
    }

    private static Map<String, String> tables(Resolved resolved) {
        Map<String, String> tables = new LinkedHashMap<>();
        resolved.tables().forEach(table -> tables.put(table.source(), table.target()));
        return tables;
    }

    @Override
    public ExtractionPhase phase() {
        ExtractionPhase phase = jdbc.sql("select phase from " + ReplicationTables.phase(properties.schema())
                        + " where replication = ?")
                .param(properties.name())
                .query(String.class)
                .optional()
                .map(ExtractionPhase::valueOf)
                .orElse(properties.initialPhase());
        lastPhase = phase;
        return phase;
    }

    /** Seconds; NaN where this instance does not stream (another does, or none yet). */
    private double stalenessHere() {
        ManagedChangeStream current = stream;
        if (current == null || current.state() != ChangeStream.State.STREAMING) {
            return Double.NaN;
        }
        return current.currentAsOf().map(asOf -> Duration.between(asOf, Instant.now()).toMillis() / 1000.0)
                .orElse(Double.NaN);
    }

    /**
     * Moves writes in one step, with no moment in which both sides take them.
     *
     * <p>To here: the source's tables are fenced (its in-flight writes finish first, later ones
     * are refused), this side waits until it applied everything the source committed before the
     * fence, then takes writes. Back to the source: this side's tables are fenced, every
     * replication reading this database must confirm it has everything written here, then the
     * source's fence comes down. If the other side does not catch up in time, the switch is undone.
     */
    @Override
    public synchronized void switchPhase(ExtractionPhase target) {
        Resolved known = resolved();
        List<String> sourceTables = known.tables().stream().map(TableMapping::source).toList();
        List<String> ourTables = known.tables().stream().map(TableMapping::target).toList();
        // One switch at a time, across instances; repairs wait for it and it waits for them. The lock
        // belongs to a transaction of its own: it goes with it, whatever happens.
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try {
                try (var statement = lock.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
                    statement.setString(1, switchLock(properties.name()));
                    statement.executeQuery().close();
                }
                ExtractionPhase current = phase();
                if (target == ExtractionPhase.WRITES_MOVED) {
                    moveWritesHere(current, sourceTables, ourTables);
                }
                else {
                    moveWritesBack(current, sourceTables, ourTables);
                }
            }
            finally {
                lock.rollback();
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Could not switch phase", e);
        }
        log.info("Replication {}: phase {}", properties.name(), target);
    }

    /** The advisory lock a phase switch holds, and a repair shares: they never overlap. */
    static String switchLock(String replication) {
        return "ficus-phase:" + replication;
    }

    private void moveWritesHere(ExtractionPhase phase, List<String> sourceTables, List<String> ourTables) {
        if (phase == ExtractionPhase.WRITES_MOVED) {
            // Done before, perhaps not to the end (a crash between the steps): the fences as they must be.
            fences.fence(sourceDataSource, sourceTables, properties.name());
            fences.unfence(dataSource, ourTables);
            return;
        }
        ManagedChangeStream current = stream;
        if (current == null || current.state() != ChangeStream.State.STREAMING) {
            throw new PhaseSwitchRefused("Replication " + properties.name() + " is not streaming ("
                    + (current == null ? ChangeStream.State.STOPPED : current.state())
                    + "): this side may lack changes, so writes stay with the source");
        }
        requireNoDeadLetters(current);
        fences.fence(sourceDataSource, sourceTables, properties.name());
        try {
            Instant fenced = sourceJdbc.sql("select clock_timestamp()").query(java.sql.Timestamp.class).single()
                    .toInstant();
            if (!awaitCurrent(current, fenced) || current.deadLetters().pendingCount() > 0) {
                throw new PhaseSwitchRefused("Replication " + properties.name() + " did not apply every change the "
                        + "source made before the switch within " + SWITCH_PATIENCE + " (or dead-lettered one): the "
                        + "source takes writes again; try once it has caught up");
            }
            setPhase(ExtractionPhase.WRITES_MOVED);
        }
        catch (RuntimeException e) {
            undo(() -> fences.unfence(sourceDataSource, sourceTables));
            throw e;
        }
        fences.unfence(dataSource, ourTables);
        if (readersOfThisDatabase().isEmpty()) {
            log.warn("Replication {}: writes moved here, but no replication reads this database back; the source's "
                    + "copy of {} stays as it is now", properties.name(), sourceTables);
        }
    }

    private void moveWritesBack(ExtractionPhase phase, List<String> sourceTables, List<String> ourTables) {
        if (phase == ExtractionPhase.READ_COPY) {
            if (!fences.anyFenced(sourceDataSource, sourceTables)) {
                return;
            }
            if (!fences.anyFenced(dataSource, ourTables)) {
                // A switch here that never completed (this side took no writes): the source's fence just comes down.
                fences.unfence(sourceDataSource, sourceTables);
                return;
            }
        }
        List<String> readers = readersOfThisDatabase();
        if (readers.isEmpty()) {
            throw new PhaseSwitchRefused("No replication reads this database back: the writes made here would never "
                    + "reach the source. Start the replication back to the source first.");
        }
        fences.fence(dataSource, ourTables, "the source of replication " + properties.name());
        try {
            setPhase(ExtractionPhase.READ_COPY);
            String written = jdbc.sql("select pg_current_wal_lsn()::text").query(String.class).single();
            Instant deadline = Instant.now().plus(SWITCH_PATIENCE);
            while (!readersConfirmed(readers, written) || readersDeadLettered(readers, ourTables) > 0) {
                if (Instant.now().isAfter(deadline)) {
                    throw new PhaseSwitchRefused("The replications reading this database back " + readers + " did not "
                            + "apply every change made here within " + SWITCH_PATIENCE + " (or hold some in their dead "
                            + "letters): writes stay here; try again once they caught up");
                }
                pause();
            }
        }
        catch (RuntimeException e) {
            undo(() -> {
                setPhase(ExtractionPhase.WRITES_MOVED);
                fences.unfence(dataSource, ourTables);
            });
            throw e;
        }
        fences.unfence(sourceDataSource, sourceTables);
    }

    /** Undoes a switch that failed half way; if even that fails, the next switch to either phase completes it. */
    private void undo(Runnable steps) {
        try {
            steps.run();
        }
        catch (RuntimeException e) {
            log.error("Replication {}: could not undo a failed phase switch; switch again to repair the fences",
                    properties.name(), e);
        }
    }

    /**
     * The replications that read this database back into the source: logical slots here whose name
     * a replication writing into the source carries (its marks there; see {@link MarkedWrites}).
     */
    private List<String> readersOfThisDatabase() {
        List<String> writingIntoSource = sourceJdbc.sql("select replication from "
                + ReplicationTables.marks(properties.schema())).query(String.class).list();
        return jdbc.sql("select slot_name from pg_replication_slots where slot_type = 'logical' "
                        + "and database = current_database() and slot_name = any(?) order by slot_name")
                .param(writingIntoSource.toArray(String[]::new)).query(String.class).list();
    }

    private boolean readersConfirmed(List<String> readers, String lsn) {
        return jdbc.sql("select count(*) from pg_replication_slots where slot_name = any(?) and (confirmed_flush_lsn "
                        + "is null or confirmed_flush_lsn < cast(? as pg_lsn))")
                .params(readers.toArray(String[]::new), lsn).query(Long.class).single() == 0;
    }

    /** Changes of these tables the replications back into the source could not apply there. */
    private long readersDeadLettered(List<String> readers, List<String> ourTables) {
        if (!sourceJdbc.sql("select to_regclass(?) is not null").param(properties.schema() + ".dead_letters")
                .query(Boolean.class).single()) {
            return 0;
        }
        return sourceJdbc.sql("select count(*) from " + properties.schema() + ".dead_letters where stream = any(?) "
                        + "and table_name = any(?) and replayed_at is null")
                .params(readers.toArray(String[]::new), ourTables.toArray(String[]::new))
                .query(Long.class).single();
    }

    private boolean awaitCurrent(ManagedChangeStream current, Instant moment) {
        Instant deadline = Instant.now().plus(SWITCH_PATIENCE);
        while (current.currentAsOf().map(asOf -> asOf.isBefore(moment)).orElse(true)) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            pause();
        }
        return true;
    }

    private void requireNoDeadLetters(ManagedChangeStream current) {
        long pending = current.deadLetters().pendingCount();
        if (pending > 0) {
            throw new PhaseSwitchRefused(pending + " dead letters of replication " + properties.name() + " wait: this "
                    + "side lacks their changes. Replay them (POST /actuator/replication/dead-letters) first.");
        }
    }

    private void setPhase(ExtractionPhase phase) {
        jdbc.sql("update " + ReplicationTables.phase(properties.schema())
                        + " set phase = ?, changed_at = now() where replication = ?")
                .params(phase.name(), properties.name())
                .update();
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PhaseSwitchRefused("Interrupted while switching phase");
        }
    }

    @Override
    public void requireWritesHere() {
        if (phase() != ExtractionPhase.WRITES_MOVED) {
            throw new WritesNotOwnedHere(properties.name());
        }
    }

    @Override
    public ReconciliationReport reconcile(boolean repair) {
        if (repair) {
            requireSourceOwnsWrites();
        }
        ReconciliationReport report = resolved().reconciler().reconcile(repair);
        lastReconciliation.set(report);
        return report;
    }

    @Override
    public RepairResult repair(String table, Map<String, String> key) {
        requireSourceOwnsWrites();
        return resolved().reconciler().repair(table, key);
    }

    /** A repair copies the source's row here: once writes moved here, this side's rows are the truth. */
    private void requireSourceOwnsWrites() {
        if (phase() == ExtractionPhase.WRITES_MOVED) {
            throw new PhaseSwitchRefused("Writes moved here: this side's rows are the truth, and a repair would copy the "
                    + "source's older rows over them. Reconcile from the other side to repair its copy.");
        }
    }

    @Override
    public Optional<DeadLetters> deadLetters() {
        ManagedChangeStream current = stream;
        return current == null ? Optional.empty() : Optional.of(current.deadLetters());
    }

    @Override
    public List<Conflict> conflicts(int limit) {
        return jdbc.sql("select id, table_name, row_key::text, version, incoming::text, kept, detected_at from "
                        + ReplicationTables.conflicts(properties.schema()) + " where replication = ? order by id limit ?")
                .params(properties.name(), limit)
                .query((rows, number) -> new Conflict(rows.getLong(1), rows.getString(2), rows.getString(3),
                        rows.getString(4), rows.getString(5), rows.getString(6), rows.getTimestamp(7).toInstant()))
                .list();
    }
}
