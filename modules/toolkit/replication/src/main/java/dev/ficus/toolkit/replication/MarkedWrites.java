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
 *
 * <p>The stream's own transactions are fenced too: each run of the stream claims its term here
 * ({@link #claim}), and its transactions write only while the term is still theirs
 * ({@link #requireTerm}). A leader that lost its lease while frozen, and thaws in the middle of a
 * batch, is refused by this database, not only by its own clock.
 */
final class MarkedWrites {

    /** The setting a fenced table's trigger lets through: only for the transaction that sets it. */
    static final String WRITER_SETTING = "ficus.replication_writer";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final String mark;
    private final String claim;
    private final String currentTerm;
    private final String replication;

    MarkedWrites(JdbcTemplate jdbc, TransactionTemplate transaction, String schema, String replication) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.mark = "update " + ReplicationTables.marks(schema) + " set batches = batches + 1, applied_at = now() "
                + "where replication = ? and set_config('" + WRITER_SETTING + "', ?, true) is not null";
        this.claim = "insert into " + ReplicationTables.terms(schema) + " (replication, term, since) values (?, ?, now()) "
                + "on conflict (replication) do update set term = excluded.term, since = excluded.since";
        this.currentTerm = "select term from " + ReplicationTables.terms(schema) + " where replication = ? for share";
        this.replication = replication;
    }

    /**
     * Makes {@code term} the only one whose transactions may write; waits for a transaction of the
     * previous term that is still open, so that everything it wrote comes before anything of this one.
     */
    void claim(String term) {
        jdbc.update(claim, replication, term);
    }

    /**
     * Fails the transaction open on {@code connection} unless {@code term} is still the claimed one;
     * holds the claim until the transaction ends.
     */
    void requireTerm(Connection connection, String term) throws SQLException {
        try (var statement = connection.prepareStatement(currentTerm)) {
            statement.setString(1, replication);
            try (var result = statement.executeQuery()) {
                String claimed = result.next() ? result.getString(1) : null;
                if (term == null || !term.equals(claimed)) {
                    throw new TermTakenOver(replication);
                }
            }
        }
    }

    /** Another run of the stream (on this instance or another) writes here now. */
    static final class TermTakenOver extends RuntimeException {

        TermTakenOver(String replication) {
            super("Replication " + replication + ": another run of its stream writes here now; this one stops");
        }
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
