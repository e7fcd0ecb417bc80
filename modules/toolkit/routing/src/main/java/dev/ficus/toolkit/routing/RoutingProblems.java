package dev.ficus.toolkit.routing;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A write the extracted service did not confirm, as the caller sees it. */
@RestControllerAdvice
class RoutingProblems {

    @ExceptionHandler
    ProblemDetail serviceFailed(ExtractedServiceFailed e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        problem.setType(URI.create("urn:problem-type:extracted-service-failed"));
        return problem;
    }
}
