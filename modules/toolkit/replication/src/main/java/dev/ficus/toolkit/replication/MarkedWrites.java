package dev.ficus.toolkit.replication;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Consumer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Transactions that write replicated rows here. Each first bumps the replication's row in
 * {@code <schema>.applied_batches}, which tells a replication streaming this database in the other
 * direction that the transaction came from sync and must not travel back; and it names itself a
 * replication writer for the transaction, which lets it write tables whose writes moved elsewhere
 * (see {@link Fences}).
 */
final class MarkedWrites {

    /** The setting a fenced table's trigger lets through: only for the transaction that sets it. */
    static final String WRITER_SETTING = "ficus.replication_writer";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final String mark;
    private final String replication;

    MarkedWrites(JdbcTemplate jdbc, TransactionTemplate transaction, String schema, String replication) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.mark = "update " + ReplicationTables.marks(schema) + " set batches = batches + 1, applied_at = now() "
                + "where replication = ? and set_config('" + WRITER_SETTING + "', ?, true) is not null";
        this.replication = replication;
    }

    void run(Consumer<JdbcTemplate> writes) {
        run(jdbc -> { }, writes);
    }

    /**
     * @param first what the transaction does before it takes the mark: it must not wait for
     *              anything that waits for the stream, which waits for the mark
     */
    void run(Consumer<JdbcTemplate> first, Consumer<JdbcTemplate> writes) {
        transaction.executeWithoutResult(status -> {
            first.accept(jdbc);
            jdbc.update(mark, replication, replication);
            writes.accept(jdbc);
        });
    }

    /** Marks the transaction open on {@code connection} (auto-commit off) as written by replication. */
    void mark(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement(mark)) {
            statement.setString(1, replication);
            statement.setString(2, replication);
            statement.executeUpdate();
        }
    }
}
