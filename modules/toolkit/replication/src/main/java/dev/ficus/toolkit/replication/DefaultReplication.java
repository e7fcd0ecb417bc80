package dev.ficus.toolkit.replication;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

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
import dev.ficus.toolkit.cdc.ManagedChangeStream;
import dev.ficus.toolkit.cdc.PostgresDatabase;

/**
 * Replication as a lifecycle: once the application's own migrations ran, it creates its tables,
 * matches the replicated tables' columns on both sides, and starts streaming from the source.
 */
class DefaultReplication implements Replication, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DefaultReplication.class);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final ReplicationProperties properties;
    private final PostgresDatabase source;
    private final PostgresDatabase home;
    private final DataSource dataSource;
    private final MeterRegistry meters;
    private final JdbcClient jdbc;
    private volatile Resolved resolved;
    private volatile ManagedChangeStream stream;
    private volatile boolean running;
    private Thread starter;

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
        this.meters = meters;
        this.jdbc = JdbcClient.create(dataSource);
        ReplicationTables.ensureHere(jdbc, properties.schema(), properties.name(), properties.initialPhase());
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
        JdbcClient sourceJdbc = JdbcClient.create(new SimpleDriverDataSource(new org.postgresql.Driver(),
                source.jdbcUrl(), source.user(), source.password()));
        ReplicationTables.ensureInSource(sourceJdbc, properties.schema());
        List<TableMapping> tables = properties.tables().stream()
                .map(table -> TableMapping.resolve(table, sourceJdbc, jdbc))
                .toList();
        MarkedWrites writes = new MarkedWrites(new JdbcTemplate(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), properties.schema(),
                properties.name());
        return new Resolved(tables, new ReplicationApplier(properties, tables, writes, meters),
                new Reconciler(tables, source, dataSource, writes, properties.chunkSize()));
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
        starter = Thread.ofPlatform().name("ficus-replication-" + properties.name()).daemon().start(() -> {
            while (running) {
                try {
                    startStreaming();
                    return;
                }
                catch (RuntimeException e) {
                    log.warn("Replication {} cannot start yet, retrying in {}: {}", properties.name(), RETRY,
                            e.getMessage());
                    try {
                        Thread.sleep(RETRY);
                    }
                    catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        });
    }

    private synchronized void startStreaming() {
        if (!running) {
            return;
        }
        Resolved current = resolved();
        ManagedChangeStream created = ChangeStreams.create(streamSettings(), source, home,
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
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2),
                new ChangeStreamProperties.Retry(5, Duration.ofMillis(50), Duration.ofSeconds(1)),
                properties.debezium());
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
        return new ReplicationStatus(properties.name(), source.jdbcUrl(),
                current == null ? ChangeStream.State.STOPPED : current.state(), phase(),
                known == null ? Map.of() : tables(known),
                current == null ? null : current.lastLag().orElse(null),
                current == null ? 0 : current.deadLetters().pendingCount());
    }

    private static Map<String, String> tables(Resolved resolved) {
        Map<String, String> tables = new LinkedHashMap<>();
        resolved.tables().forEach(table -> tables.put(table.source(), table.target()));
        return tables;
    }

    @Override
    public ExtractionPhase phase() {
        return jdbc.sql("select phase from " + ReplicationTables.phase(properties.schema()) + " where replication = ?")
                .param(properties.name())
                .query(String.class)
                .optional()
                .map(ExtractionPhase::valueOf)
                .orElse(properties.initialPhase());
    }

    @Override
    public void switchPhase(ExtractionPhase phase) {
        jdbc.sql("update " + ReplicationTables.phase(properties.schema())
                        + " set phase = ?, changed_at = now() where replication = ?")
                .params(phase.name(), properties.name())
                .update();
        log.info("Replication {}: phase {}", properties.name(), phase);
    }

    @Override
    public void requireWritesHere() {
        if (phase() != ExtractionPhase.WRITES_MOVED) {
            throw new WritesNotOwnedHere(properties.name());
        }
    }

    @Override
    public ReconciliationReport reconcile(boolean repair) {
        return resolved().reconciler().reconcile(repair);
    }

    @Override
    public RepairResult repair(String table, Map<String, String> key) {
        return resolved().reconciler().repair(table, key);
    }
}
