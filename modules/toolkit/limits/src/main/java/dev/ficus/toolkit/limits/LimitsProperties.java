package dev.ficus.toolkit.limits;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits per endpoint class. A request belongs to the first class whose methods and paths it
 * matches, taking the classes by their {@code order}, then by name (not in the order their
 * properties happen to be read, which depends on where each is set); a request of no class is not
 * limited.
 *
 * @param enabled         false turns every limit off
 * @param maximumClients  how many clients' rate limiters are remembered per class; the least
 *                        recently seen are forgotten first (and start afresh when they come back)
 * @param classes         the endpoint classes, by name (the name tags metrics and problems)
 */
@ConfigurationProperties("ficus.limits")
public record LimitsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("100000") long maximumClients,
        Map<String, EndpointClass> classes) {

    public LimitsProperties {
        classes = classes == null ? Map.of() : classes;
    }

    /**
     * @param order             classes with lower numbers are matched first (orders before writes, say)
     * @param methods           HTTP methods of the class; none means every method
     * @param paths             path patterns of the class ({@code /api/orders/**}); none means every path
     * @param requestsPerPeriod how many requests one client may make in each period; 0 for no rate limit
     * @param period            the rate limit's period; the allowance is renewed at the start of each
     * @param maxConcurrent     how many requests of the class may run at once in this instance;
     *                          0 for no concurrency limit
     * @param maxWait           how long a request waits for one of them to finish before it is refused
     * @param retryAfter        the {@code Retry-After} of a request refused because too many ran at once
     */
    public record EndpointClass(
            @DefaultValue("0") int order,
            List<String> methods,
            List<String> paths,
            @DefaultValue("0") int requestsPerPeriod,
            @DefaultValue("1s") Duration period,
            @DefaultValue("0") int maxConcurrent,
            @DefaultValue("0ms") Duration maxWait,
            @DefaultValue("1s") Duration retryAfter) {

        public EndpointClass {
            methods = methods == null ? List.of() : List.copyOf(methods);
            paths = paths == null ? List.of() : List.copyOf(paths);
            if (requestsPerPeriod < 0 || maxConcurrent < 0) {
                throw new IllegalArgumentException("requests-per-period and max-concurrent cannot be negative");
            }
            if (period.isZero() || period.isNegative()) {
                throw new IllegalArgumentException("period must be positive, not " + period);
            }
        }
    }
}
