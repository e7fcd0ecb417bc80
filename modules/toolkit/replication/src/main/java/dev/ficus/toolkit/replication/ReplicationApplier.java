package dev.ficus.toolkit.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.ficus.toolkit.cdc.ChangeEvent;
import dev.ficus.toolkit.cdc.ChangeEvent.Operation;
import dev.ficus.toolkit.cdc.ChangeHandler;

/**
 * Applies a batch of source changes to this database in one transaction, in the order they were
 * committed, and marks that transaction as written by replication.
 *
 * <p>The mark is what keeps a two-way sync from looping: each transaction this applier commits
 * first bumps its row in {@code <schema>.applied_batches}, and a replication reading this
 * database in the other direction skips every transaction that touched that table. A change
 * written by sync therefore never bounces back.
 *
 * <p>Nothing here is confirmed before the transaction commits: after a crash the stream delivers
 * the batch again, and applying it again ends in the same rows (upserts by key, deletes by key,
 * in commit order).
 */
class ReplicationApplier implements ChangeHandler {

    private final String name;
    private final Map<String, TableMapping> tablesBySource;
    private final String marks;
    private final MarkedWrites writes;
    private final MeterRegistry meters;
    private final Timer lag;
    private final Counter echoes;
    private final List<ChangeEvent> batch = new ArrayList<>();
    private long echoTransaction = -1;

    ReplicationApplier(ReplicationProperties properties, List<TableMapping> tables, MarkedWrites writes,
            MeterRegistry meters) {
        this.name = properties.name();
        this.tablesBySource = tables.stream()
                .collect(Collectors.toMap(TableMapping::source, table -> table));
        this.marks = ReplicationTables.marks(properties.schema());
        this.writes = writes;
        this.meters = meters;
        this.lag = Timer.builder("ficus.replication.lag")
                .description("From a change's commit in the source until it is committed here")
                .tag("replication", name)
                .publishPercentileHistogram()
                .register(meters);
        this.echoes = Counter.builder("ficus.replication.echoes")
                .description("Source changes skipped because replication wrote them: the other direction's own")
                .tag("replication", name)
                .register(meters);
    }

    /** The tables to stream: the replicated ones, and the source's marks of the other direction. */
    Set<String> capturedTables() {
        Set<String> tables = new TreeSet<>(tablesBySource.keySet());
        tables.add(marks);
        return tables;
    }

    @Override
    public void handle(ChangeEvent change) {
        if (change.table().equals(marks)) {
            echoTransaction = change.transaction();
            return;
        }
        if (change.transaction() == echoTransaction && change.operation() != Operation.SNAPSHOT) {
            echoes.increment();
            return;
        }
        batch.add(change);
    }

    @Override
    public void endOfBatch() {
        if (batch.isEmpty()) {
            return;
        }
        try {
            writes.run(this::applyInOrder);
            Instant applied = Instant.now();
            for (ChangeEvent change : batch) {
                lag.record(Duration.between(change.committedAt(), applied));
                meters.counter("ficus.replication.applied", "replication", name, "table", change.table(),
                        "operation", change.operation().name()).increment();
            }
        }
        finally {
            // Applied, or to be delivered again by the stream after its restart.
            batch.clear();
        }
    }

    /** Consecutive changes of the same kind to the same table go in one JDBC batch. */
    private void applyInOrder(JdbcTemplate jdbc) {
        int start = 0;
        while (start < batch.size()) {
            ChangeEvent first = batch.get(start);
            TableMapping table = tablesBySource.get(first.table());
            String sql = statement(table, first.operation());
            List<Object[]> parameters = new ArrayList<>();
            int end = start;
            while (end < batch.size() && batch.get(end).table().equals(first.table())
                    && Objects.equals(statement(table, batch.get(end).operation()), sql)) {
                ChangeEvent change = batch.get(end);
                switch (change.operation()) {
                    case INSERT, UPDATE, SNAPSHOT -> parameters.add(table.values(change.after()));
                    case DELETE -> parameters.add(table.keyValues(change.before()));
                    case TRUNCATE -> parameters.add(new Object[0]);
                }
                end++;
            }
            if (first.operation() == Operation.TRUNCATE) {
                jdbc.update(sql);
            }
            else {
                jdbc.batchUpdate(sql, parameters);
            }
            start = end;
        }
    }

    private static String statement(TableMapping table, Operation operation) {
        return switch (operation) {
            case INSERT, UPDATE, SNAPSHOT -> table.upsert();
            case DELETE -> table.delete();
            case TRUNCATE -> table.truncate();
        };
    }
}
