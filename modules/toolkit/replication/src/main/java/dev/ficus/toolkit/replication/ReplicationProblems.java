package dev.ficus.toolkit.replication;

import java.net.URI;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.ficus.toolkit.cdc.DeadLetterWaitsBehind;
import dev.ficus.toolkit.cdc.NoSuchDeadLetter;

/**
 * How replication's refusals look over HTTP in an application's own controllers, such as a
 * service's write that meets a read copy.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class ReplicationProblems {

    @ExceptionHandler
    ProblemDetail writesNotHere(WritesNotOwnedHere e) {
        return problem(HttpStatus.CONFLICT, "writes-not-owned-here", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail unknownTable(UnknownReplicatedTable e) {
        return problem(HttpStatus.BAD_REQUEST, "unknown-replicated-table", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail rowNotFound(RowNotFound e) {
        return problem(HttpStatus.NOT_FOUND, "row-not-found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail invalidKey(InvalidRowKey e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-key", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail phaseSwitchRefused(PhaseSwitchRefused e) {
        return problem(HttpStatus.CONFLICT, "phase-switch-refused", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail noSuchDeadLetter(NoSuchDeadLetter e) {
        return problem(HttpStatus.NOT_FOUND, "no-such-dead-letter", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail waitsBehind(DeadLetterWaitsBehind e) {
        return problem(HttpStatus.CONFLICT, "dead-letter-waits-behind", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail notStreaming(NotStreamingHere e) {
        return problem(HttpStatus.CONFLICT, "not-streaming-here", e.getMessage());
    }

    /** A problem of the given kind, typed {@code urn:problem-type:<kind>} as the toolkit's problems are. */
    private static ProblemDetail problem(HttpStatus status, String kind, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:problem-type:" + kind));
        return problem;
    }
}
