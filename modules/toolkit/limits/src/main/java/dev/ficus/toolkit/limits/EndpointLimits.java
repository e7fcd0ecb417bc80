package dev.ficus.toolkit.limits;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * One endpoint class's limits: a Resilience4j rate limiter per client, kept while the client is
 * active, and one bulkhead for the class in this instance.
 */
final class EndpointLimits {

    private final String name;
    private final LimitsProperties.EndpointClass spec;
    private final List<String> methods;
    private final List<PathPattern> paths;
    private final RateLimiterConfig rate;
    private final Cache<String, RateLimiter> clients;
    private final Bulkhead bulkhead;

    EndpointLimits(String name, LimitsProperties.EndpointClass spec, long maximumClients) {
        this.name = name;
        this.spec = spec;
        this.methods = spec.methods().stream().map(method -> method.toUpperCase(Locale.ROOT)).toList();
        this.paths = spec.paths().stream().map(PathPatternParser.defaultInstance::parse).toList();
        this.rate = spec.requestsPerPeriod() == 0 ? null : RateLimiterConfig.custom()
                .limitForPeriod(spec.requestsPerPeriod())
                .limitRefreshPeriod(spec.period())
                .timeoutDuration(Duration.ZERO)
                .build();
        // A client quiet for two periods would have its whole allowance again: forgetting it is exact.
        this.clients = Caffeine.newBuilder()
                .maximumSize(maximumClients)
                .expireAfterAccess(spec.period().multipliedBy(2))
                .build();
        this.bulkhead = spec.maxConcurrent() == 0 ? null : Bulkhead.of(name, BulkheadConfig.custom()
                .maxConcurrentCalls(spec.maxConcurrent())
                .maxWaitDuration(spec.maxWait())
                .build());
    }

    String name() {
        return name;
    }

    LimitsProperties.EndpointClass spec() {
        return spec;
    }

    boolean matches(String method, PathContainer path) {
        return (methods.isEmpty() || methods.contains(method))
                && (paths.isEmpty() || paths.stream().anyMatch(pattern -> pattern.matches(path)));
    }

    /** Empty when the client may go on; otherwise how long it should wait, in nanoseconds. */
    OptionalLong admitRate(String client) {
        if (rate == null) {
            return OptionalLong.empty();
        }
        RateLimiter limiter = clients.get(client, key -> RateLimiter.of(name, rate));
        if (limiter.acquirePermission()) {
            return OptionalLong.empty();
        }
        long wait = limiter instanceof AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait()
                : spec.period().toNanos();
        return OptionalLong.of(Math.max(wait, 0));
    }

    /** Whether the request may run now (after waiting up to max-wait); if so, {@link #release} follows. */
    boolean admitConcurrent() {
        return bulkhead == null || bulkhead.tryAcquirePermission();
    }

    void release() {
        if (bulkhead != null) {
            bulkhead.onComplete();
        }
    }

    /** Requests of the class running now, as far as the concurrency limit counts them. */
    int inFlight() {
        return bulkhead == null ? 0
                : bulkhead.getMetrics().getMaxAllowedConcurrentCalls() - bulkhead.getMetrics().getAvailableConcurrentCalls();
    }
}
