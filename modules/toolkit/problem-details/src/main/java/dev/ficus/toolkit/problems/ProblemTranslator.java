package dev.ficus.toolkit.problems;

import java.util.Optional;

import org.springframework.http.ProblemDetail;

/**
 * Recognises a failure no handler knew by type, which would otherwise be answered as a 500: an
 * error a database raises for a reason the client can act on, say, wrapped in whatever the data
 * access layer threw. Register one as a bean; the first that recognises a failure answers it.
 */
@FunctionalInterface
public interface ProblemTranslator {

    /** The problem to answer {@code failure} with, or empty if this translator does not know it. */
    Optional<ProblemDetail> translate(Throwable failure);
}
