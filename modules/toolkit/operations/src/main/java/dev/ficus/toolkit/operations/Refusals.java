package dev.ficus.toolkit.operations;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.AuthenticationEntryPoint;

import dev.ficus.toolkit.problems.Problems;

/**
 * Every refusal of Spring Security as a problem ({@code application/problem+json}): 401
 * {@code unauthenticated} with a {@code WWW-Authenticate} challenge, 403 {@code forbidden}. Each is
 * counted in {@code ficus.security.refusals} by its status and reason, so an attack (or a client
 * with a stale token) shows on a graph.
 */
public final class Refusals implements AuthenticationEntryPoint, AccessDeniedHandler {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MeterRegistry meters;
    private final String challenge;
    private final Function<AuthenticationException, String> reason;

    /**
     * @param meters    where refusals are counted; null counts nothing
     * @param challenge the {@code WWW-Authenticate} header of a 401, such as {@code Basic realm="ficus"}
     * @param reason    a short, fixed name for why authentication failed (a metric tag: few values)
     */
    public Refusals(MeterRegistry meters, String challenge, Function<AuthenticationException, String> reason) {
        this.meters = meters;
        this.challenge = challenge;
        this.reason = reason;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException refused)
            throws IOException {
        String why = reason.apply(refused);
        count(401, why);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
        write(request, response, Problems.of(HttpStatus.UNAUTHORIZED, "unauthenticated", switch (why) {
            case "missing" -> "This needs credentials: a bearer token (or, on operations endpoints, HTTP Basic).";
            case "bad-credentials" -> "The credentials are wrong.";
            default -> "The token is not accepted (" + why + ").";
        }));
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        if (denied instanceof CsrfException) {
            count(403, "csrf");
            write(request, response, Problems.of(HttpStatus.FORBIDDEN, "forbidden", "A change to an operations "
                    + "endpoint is sent as JSON (Content-Type: application/json), or with the control room's CSRF token."));
            return;
        }
        count(403, "role");
        write(request, response, Problems.of(HttpStatus.FORBIDDEN, "forbidden",
                "The caller is known but may not do this: it lacks the role it needs."));
    }

    /** Writes a problem about this request as the whole answer, shaped as Spring MVC's own problems. */
    public static void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.setStatus(problem.getStatus());
        // JSON is UTF-8 by definition: no charset parameter, as Spring MVC answers its own problems.
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.getType().toString());
        body.put("title", problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        body.put("instance", request.getRequestURI());
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
        response.flushBuffer();
    }

    private void count(int status, String why) {
        if (meters != null) {
            Counter.builder("ficus.security.refusals")
                    .description("Requests refused by security: 401 (no or bad credentials) and 403 (no role for it)")
                    .tag("status", Integer.toString(status))
                    .tag("reason", why)
                    .register(meters)
                    .increment();
        }
    }
}
