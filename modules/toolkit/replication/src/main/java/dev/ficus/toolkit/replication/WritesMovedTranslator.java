package dev.ficus.toolkit.replication;

import java.sql.SQLException;
import java.util.Optional;

import org.postgresql.util.PSQLException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import dev.ficus.toolkit.problems.ProblemTranslator;
import dev.ficus.toolkit.problems.Problems;

/**
 * A write to a table whose writes moved to the other side of an extraction (refused by its fence,
 * SQLSTATE {@value Fences#SQLSTATE}), however the data access layer wrapped it, is a 409
 * {@code writes-moved} problem that names where writes go now.
 */
class WritesMovedTranslator implements ProblemTranslator {

    @Override
    public Optional<ProblemDetail> translate(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && Fences.SQLSTATE.equals(sql.getSQLState())) {
                String message = sql instanceof PSQLException psql && psql.getServerErrorMessage() != null
                        ? psql.getServerErrorMessage().getMessage()
                        : sql.getMessage().lines().findFirst().orElse("Writes to this table moved");
                return Optional.of(Problems.of(HttpStatus.CONFLICT, "writes-moved", message));
            }
        }
        return Optional.empty();
    }
}
