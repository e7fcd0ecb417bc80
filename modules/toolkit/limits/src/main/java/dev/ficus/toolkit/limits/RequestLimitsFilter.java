package dev.ficus.toolkit.limits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies the first matching endpoint class's limits to each request: the client's rate first
 * (429), then the class's concurrency (503), both answered with a problem detail and
 * {@code Retry-After} before the application sees the request. The client is the authenticated
 * principal when there is one, else the remote address, which is the forwarding client's only
 * when the server trusts the proxy that forwarded it ({@code server.forward-headers-strategy}).
 */
class RequestLimitsFilter extends OncePerRequestFilter {

    /** Which limit refused a request. */
    enum Limit {
        RATE, CONCURRENCY
    }

    private final List<EndpointLimits> classes;
    private final Map<EndpointLimits, Map<Limit, Counter>> refusals = new java.util.HashMap<>();

    RequestLimitsFilter(List<EndpointLimits> classes, MeterRegistry meters) {
        this.classes = List.copyOf(classes);
        for (EndpointLimits limits : this.classes) {
            Map<Limit, Counter> counters = new EnumMap<>(Limit.class);
            for (Limit limit : Limit.values()) {
                counters.put(limit, Counter.builder("ficus.limits.refusals")
                        .description("Requests refused by a request limit before the application saw them")
                        .tag("class", limits.name())
                        .tag("limit", limit.name().toLowerCase(java.util.Locale.ROOT))
                        .register(meters));
            }
            refusals.put(limits, counters);
            Gauge.builder("ficus.limits.in-flight", limits, EndpointLimits::inFlight)
                    .description("Requests of the class running now, counted by its concurrency limit")
                    .tag("class", limits.name())
                    .register(meters);
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        EndpointLimits limits = classOf(request);
        if (limits == null) {
            chain.doFilter(request, response);
            return;
        }
        OptionalLong wait = limits.admitRate(client(request));
        if (wait.isPresent()) {
            refusals.get(limits).get(Limit.RATE).increment();
            long seconds = Math.max(1, (wait.getAsLong() + 999_999_999L) / 1_000_000_000L);
            refuse(response, HttpStatus.TOO_MANY_REQUESTS, "too-many-requests", seconds,
                    "More than %d requests in %s from this client for %s; try again in %d s."
                            .formatted(limits.spec().requestsPerPeriod(), limits.spec().period(), limits.name(), seconds));
            return;
        }
        if (!limits.admitConcurrent()) {
            refusals.get(limits).get(Limit.CONCURRENCY).increment();
            long seconds = Math.max(1, (limits.spec().retryAfter().toMillis() + 999) / 1000);
            refuse(response, HttpStatus.SERVICE_UNAVAILABLE, "overloaded", seconds,
                    "Too many %s requests are in progress; try again in %d s.".formatted(limits.name(), seconds));
            return;
        }
        boolean async = false;
        try {
            chain.doFilter(request, response);
            async = request.isAsyncStarted();
        }
        finally {
            if (async) {
                // An asynchronous request runs on after this returns: it holds its place until it ends.
                request.getAsyncContext().addListener(new ReleaseOnEnd(limits));
            }
            else {
                limits.release();
            }
        }
    }

    /** Gives an asynchronous request's place back once, however it ends. */
    private static final class ReleaseOnEnd implements jakarta.servlet.AsyncListener {

        private final EndpointLimits limits;
        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        ReleaseOnEnd(EndpointLimits limits) {
            this.limits = limits;
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                limits.release();
            }
        }

        @Override
        public void onComplete(jakarta.servlet.AsyncEvent event) {
            release();
        }

        @Override
        public void onTimeout(jakarta.servlet.AsyncEvent event) {
            release();
        }

        @Override
        public void onError(jakarta.servlet.AsyncEvent event) {
            release();
        }

        @Override
        public void onStartAsync(jakarta.servlet.AsyncEvent event) {
            // Started again: the same request keeps its place; the listener must be added anew.
            event.getAsyncContext().addListener(this);
        }
    }

    private EndpointLimits classOf(HttpServletRequest request) {
        PathContainer path = PathContainer.parsePath(request.getRequestURI().substring(request.getContextPath().length()));
        for (EndpointLimits limits : classes) {
            if (limits.matches(request.getMethod(), path)) {
                return limits;
            }
        }
        return null;
    }

    private static String client(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        return principal != null ? "principal " + principal.getName() : "address " + request.getRemoteAddr();
    }

    private static void refuse(HttpServletResponse response, HttpStatus status, String type, long retryAfter,
            String detail) throws IOException {
        response.setStatus(status.value());
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write("""
                {"type":"urn:problem-type:%s","title":"%s","status":%d,"detail":"%s"}"""
                .formatted(type, status.getReasonPhrase(), status.value(), json(detail))
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String json(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                escaped.append('\\').append(c);
            }
            else if (c < 0x20) {
                escaped.append(String.format("\\u%04x", (int) c));
            }
            else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
