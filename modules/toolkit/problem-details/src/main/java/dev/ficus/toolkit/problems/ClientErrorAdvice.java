package dev.ficus.toolkit.problems;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.context.MessageSource;
import org.springframework.context.MessageSourceAware;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.web.ErrorResponse;
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
 * standard problem details; an exception annotated with {@link ResponseStatus} or implementing
 * {@link ErrorResponse} keeps its status; anything else is logged and answered with a 500
 * problem. Modules' own advice, for their domain exceptions, goes first.
 * <p>
 * Only a client that takes JSON gets a problem. A browser asking for an HTML page gets the
 * application's own error handling (Spring Boot's error page, the application's error templates),
 * as if this advice were not there; so does a client that takes no JSON at all (only XML, say).
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ClientErrorAdvice implements MessageSourceAware {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClientErrorAdvice.class);

    private final SpringMvcProblems springMvc = new SpringMvcProblems();

    private final List<ProblemTranslator> translators;

    private MessageSource messageSource;

    ClientErrorAdvice(List<ProblemTranslator> translators) {
        this.translators = List.copyOf(translators);
    }

    @Override
    public void setMessageSource(MessageSource messageSource) {
        this.messageSource = messageSource;
        springMvc.setMessageSource(messageSource);
    }

    /**
     * A request whose client prefers an HTML page is no API call: its failure is rethrown, for
     * Spring MVC's other exception resolvers and then the application's error page to answer. A
     * failure a {@link ProblemTranslator} recognises, or an unreachable database, keeps the status
     * it has for the API (a write to a table whose writes moved is a 409 there too), on the
     * application's error page.
     */
    @ExceptionHandler(value = Exception.class, produces = MediaType.TEXT_HTML_VALUE)
    void page(Exception ex, HttpServletResponse response) throws Exception {
        for (ProblemTranslator translator : translators) {
            var translated = translator.translate(ex);
            if (translated.isPresent()) {
                response.sendError(translated.get().getStatus(), translated.get().getDetail());
                return;
            }
        }
        if (databaseUnreachable(ex)) {
            log.warn("Database unreachable while serving a page: {}", ex.toString());
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
            response.sendError(HttpStatus.SERVICE_UNAVAILABLE.value());
            return;
        }
        throw ex;
    }

    /**
     * Any other failure of a request whose client takes JSON is answered with a problem: Spring
     * MVC's own exceptions as {@link ResponseEntityExceptionHandler} would answer them, with the
     * offending fields named; the rest as {@link #unexpected} says.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> problem(Exception ex, WebRequest request) throws Exception {
        if (!acceptsJson(request)) {
            throw ex;
        }
        try {
            return springMvc.handleException(ex, request);
        }
        catch (Exception notSpringMvcs) {
            if (notSpringMvcs != ex) {
                throw notSpringMvcs;
            }
        }
        return unexpected(ex, request);
    }

    /**
     * An exception that is not Spring MVC's: a {@link ProblemTranslator} may recognise it, or it
     * declares its own status. Anything else is a fault of ours, not of the request: it is logged
     * with its stack trace and answered with a 500 problem that gives nothing internal away.
     */
    private ResponseEntity<Object> unexpected(Exception ex, WebRequest request) {
        for (ProblemTranslator translator : translators) {
            var translated = translator.translate(ex);
            if (translated.isPresent()) {
                return springMvc.answer(ex, translated.get(), new HttpHeaders(), request);
            }
        }
        if (ex instanceof ErrorResponse error) {
            return springMvc.answer(ex, error.updateAndGetBody(messageSource, LocaleContextHolder.getLocale()),
                    error.getHeaders(), request);
        }
        ResponseStatus declared = AnnotatedElementUtils.findMergedAnnotation(ex.getClass(), ResponseStatus.class);
        if (declared != null) {
            HttpStatus status = declared.code();
            return springMvc.answer(ex, ProblemDetail.forStatusAndDetail(status,
                    declared.reason().isEmpty() ? status.getReasonPhrase() : declared.reason()), new HttpHeaders(), request);
        }
        if (databaseUnreachable(ex)) {
            log.warn("Database unreachable while serving {}: {}", request.getDescription(false), ex.toString());
            HttpHeaders headers = new HttpHeaders();
            headers.set(HttpHeaders.RETRY_AFTER, "1");
            return springMvc.answer(ex, Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable",
                    "The database cannot be reached just now; try again shortly."), headers, request);
        }
        log.error("Unexpected failure of {}", request.getDescription(false), ex);
        return springMvc.answer(ex, Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
                "Something went wrong on our side; it has been logged."), new HttpHeaders(), request);
    }

    /**
     * Whether the client takes JSON: its Accept header names a JSON type or a wildcard (as
     * curl's does), or there is none, or none that can be read.
     */
    private static boolean acceptsJson(WebRequest request) {
        String[] accept = request.getHeaderValues(HttpHeaders.ACCEPT);
        if (accept == null) {
            return true;
        }
        List<MediaType> types;
        try {
            types = MediaType.parseMediaTypes(Arrays.asList(accept));
        }
        catch (InvalidMediaTypeException unreadable) {
            return true;
        }
        return types.isEmpty() || types.stream().anyMatch(type -> type.getQualityValue() > 0
                && (type.isCompatibleWith(MediaType.APPLICATION_JSON)
                        || type.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)));
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

    /**
     * Spring MVC's own exceptions, answered as standard, except that the client errors name their
     * offending fields.
     */
    private static final class SpringMvcProblems extends ResponseEntityExceptionHandler {

        ResponseEntity<Object> answer(Exception ex, ProblemDetail problem, HttpHeaders headers, WebRequest request) {
            return handleExceptionInternal(ex, problem, headers, HttpStatusCode.valueOf(problem.getStatus()), request);
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
}
