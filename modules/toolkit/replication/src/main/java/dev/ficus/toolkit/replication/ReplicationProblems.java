package dev.ficus.toolkit.replication;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.ficus.toolkit.cdc.DeadLetterWaitsBehind;
import dev.ficus.toolkit.cdc.NoSuchDeadLetter;
import dev.ficus.toolkit.problems.Problems;

/**
 * How replication's refusals look over HTTP: in its admin endpoints, and wherever a service's
 * write meets a read copy.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class ReplicationProblems {

    @ExceptionHandler
    ProblemDetail writesNotHere(WritesNotOwnedHere e) {
        return Problems.of(HttpStatus.CONFLICT, "writes-not-owned-here", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail unknownTable(UnknownReplicatedTable e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "unknown-replicated-table", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail rowNotFound(RowNotFound e) {
        return Problems.of(HttpStatus.NOT_FOUND, "row-not-found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail invalidKey(InvalidRowKey e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "invalid-key", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail phaseSwitchRefused(PhaseSwitchRefused e) {
        return Problems.of(HttpStatus.CONFLICT, "phase-switch-refused", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail noSuchDeadLetter(NoSuchDeadLetter e) {
        return Problems.of(HttpStatus.NOT_FOUND, "no-such-dead-letter", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail waitsBehind(DeadLetterWaitsBehind e) {
        return Problems.of(HttpStatus.CONFLICT, "dead-letter-waits-behind", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail notStreaming(NotStreamingHere e) {
        return Problems.of(HttpStatus.CONFLICT, "not-streaming-here", e.getMessage());
    }
}
