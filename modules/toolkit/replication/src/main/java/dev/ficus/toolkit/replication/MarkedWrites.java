package dev.ficus.toolkit.replication;

import java.util.function.Consumer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Transactions that write replicated rows here. Each first bumps the replication's row in
 * {@code <schema>.applied_batches}, which tells a replication streaming this database in the other
 * direction that the transaction came from sync and must not travel back.
 */
final class MarkedWrites {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final String mark;
    private final String replication;

    MarkedWrites(JdbcTemplate jdbc, TransactionTemplate transaction, String schema, String replication) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.mark = "update " + ReplicationTables.marks(schema)
                + " set batches = batches + 1, applied_at = now() where replication = ?";
        this.replication = replication;
    }

    void run(Consumer<JdbcTemplate> writes) {
        transaction.executeWithoutResult(status -> {
            jdbc.update(mark, replication);
            writes.accept(jdbc);
        });
    }
}
