package dev.ficus.toolkit.routing;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.ficus.toolkit.problems.Problems;

/** A write the extracted service did not confirm, as the caller sees it. */
@RestControllerAdvice
class RoutingProblems {

    @ExceptionHandler
    ProblemDetail serviceFailed(ExtractedServiceFailed e) {
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "extracted-service-failed", e.getMessage());
    }
}
