package dev.ficus.toolkit.problems;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * Builds RFC 9457 problem details the same way everywhere, so clients can rely on their shape:
 * a stable {@code type} per kind of problem ({@code urn:problem-type:<kind>}), a human
 * {@code detail}, and for input errors an {@code errors} list naming each offending field.
 */
public final class Problems {

    private Problems() {
    }

    /** A problem of the given kind, for example {@code of(CONFLICT, "duplicate-sku", "...")}. */
    public static ProblemDetail of(HttpStatus status, String kind, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:problem-type:" + kind));
        return problem;
    }

    /** A 400 naming each offending field. */
    public static ProblemDetail invalidInput(String detail, List<FieldError> errors) {
        ProblemDetail problem = of(HttpStatus.BAD_REQUEST, "invalid-input", detail);
        problem.setProperty("errors", errors.stream()
                .sorted(Comparator.comparing(FieldError::field).thenComparing(FieldError::message))
                .map(error -> Map.of("field", error.field(), "message", error.message()))
                .toList());
        return problem;
    }

    /**
     * One offending input.
     *
     * @param field   path of the field in the request, such as {@code lines[0].quantity}, or the
     *                name of a path or query parameter
     * @param message what is wrong with it
     */
    public record FieldError(String field, String message) {
    }
}
