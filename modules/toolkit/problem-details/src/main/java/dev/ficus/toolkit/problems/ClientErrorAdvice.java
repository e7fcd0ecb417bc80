package dev.ficus.toolkit.problems;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.ficus.toolkit.problems.Problems.FieldError;

/**
 * Turns the client errors Spring MVC detects before a controller runs into problem details that
 * name the offending field: failed validation, malformed or mistyped JSON, unconvertible
 * parameters, oversized bodies. Everything else Spring MVC knows (404, 405, 415, ...) keeps its
 * standard problem details; an exception annotated with {@link ResponseStatus} keeps its status;
 * anything else is logged and answered with a 500 problem. Modules' own advice, for their domain
 * exceptions, goes first.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ClientErrorAdvice extends ResponseEntityExceptionHandler {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClientErrorAdvice.class);

    private final List<ProblemTranslator> translators;

    ClientErrorAdvice(List<ProblemTranslator> translators) {
        this.translators = List.copyOf(translators);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        ex.getBindingResult().getFieldErrors().forEach(error ->
                errors.add(new FieldError(error.getField(), error.getDefaultMessage())));
        ex.getBindingResult().getGlobalErrors().forEach(error ->
                errors.add(new FieldError(error.getObjectName(), error.getDefaultMessage())));
        return answer(ex, Problems.invalidInput("The request is invalid.", errors), headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        ex.getParameterValidationResults().forEach(result -> {
            String parameter = result.getMethodParameter().getParameterName();
            if (result instanceof ParameterErrors bindingErrors) {
                bindingErrors.getFieldErrors().forEach(error ->
                        errors.add(new FieldError(error.getField(), error.getDefaultMessage())));
            }
            else {
                result.getResolvableErrors().forEach(error ->
                        errors.add(new FieldError(parameter, error.getDefaultMessage())));
            }
        });
        return answer(ex, Problems.invalidInput("The request is invalid.", errors), headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String type = ex.getRequiredType() == null ? "value" : ex.getRequiredType().getSimpleName();
        String field = ex.getPropertyName() == null ? "parameter" : ex.getPropertyName();
        var problem = Problems.invalidInput("The request is invalid.",
                List.of(new FieldError(field, "'" + ex.getValue() + "' is not a valid " + type)));
        return answer(ex, problem, headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (causedBy(ex, RequestBodyTooLargeException.class) instanceof RequestBodyTooLargeException tooLarge) {
            return answer(ex, Problems.of(HttpStatus.CONTENT_TOO_LARGE, "request-too-large", tooLarge.getMessage()),
                    headers, request);
        }
        if (causedBy(ex, JacksonException.class) instanceof JacksonException json && !json.getPath().isEmpty()) {
            var problem = Problems.invalidInput("The request body does not match the expected JSON.",
                    List.of(new FieldError(fieldPath(json), describe(json))));
            return answer(ex, problem, headers, request);
        }
        var problem = Problems.of(HttpStatus.BAD_REQUEST, "malformed-body",
                ex.getCause() == null ? "The request body is missing." : "The request body is not valid JSON.");
        return answer(ex, problem, headers, request);
    }

    /**
     * Whatever nobody else handled, and no {@link ProblemTranslator} recognises, is a fault of
     * ours, not of the request: it is logged with its stack trace and answered with a 500 problem
     * that gives nothing internal away.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex, WebRequest request) {
        for (ProblemTranslator translator : translators) {
            var translated = translator.translate(ex);
            if (translated.isPresent()) {
                return answer(ex, translated.get(), new HttpHeaders(), request);
            }
        }
        ResponseStatus declared = AnnotatedElementUtils.findMergedAnnotation(ex.getClass(), ResponseStatus.class);
        if (declared != null) {
            // The application's own exception says what it is: its status stands, as Spring MVC would answer it.
            HttpStatus status = declared.code();
            return answer(ex, ProblemDetail.forStatusAndDetail(status,
                    declared.reason().isEmpty() ? status.getReasonPhrase() : declared.reason()), new HttpHeaders(), request);
        }
        if (databaseUnreachable(ex)) {
            log.warn("Database unreachable while serving {}: {}", request.getDescription(false), ex.toString());
            HttpHeaders headers = new HttpHeaders();
            headers.set(HttpHeaders.RETRY_AFTER, "1");
            return answer(ex, Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable",
                    "The database cannot be reached just now; try again shortly."), headers, request);
        }
        log.error("Unexpected failure of {}", request.getDescription(false), ex);
        return answer(ex, Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
                "Something went wrong on our side; it has been logged."), new HttpHeaders(), request);
    }

    /**
     * A connection to the database that could not be had or was lost (the pool timed out, SQL
     * state class 08): the request may well succeed in a moment, so it is a 503, not a fault of ours.
     */
    private static boolean databaseUnreachable(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientConnectionException
                    || (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }

    private ResponseEntity<Object> answer(Exception ex, ProblemDetail problem, HttpHeaders headers, WebRequest request) {
        return handleExceptionInternal(ex, problem, headers, HttpStatusCode.valueOf(problem.getStatus()), request);
    }

    /** {@code lines[0].quantity}: the JSON path Jackson was at, in the notation clients write. */
    private static String fieldPath(JacksonException json) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : json.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            }
            else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String describe(JacksonException json) {
        if (json instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return "must be " + expected(mismatch.getTargetType());
        }
        String message = json.getOriginalMessage();
        return message == null ? "is not valid" : message.lines().findFirst().orElse(message);
    }

    private static String expected(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + Arrays.toString(type.getEnumConstants());
        }
        if (type == UUID.class) {
            return "a UUID";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static Throwable causedBy(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return cause;
            }
        }
        return null;
    }
}
