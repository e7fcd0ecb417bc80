package dev.ficus.toolkit.routing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of routing between modules and their extracted services ({@code ficus.routing.*}).
 *
 * @param flags        where the feature flags come from
 * @param context      how a call's user and session are recognised
 * @param capabilities each routed capability: the methods of a module's API it covers
 */
@ConfigurationProperties("ficus.routing")
public record RoutingProperties(
        @DefaultValue Flags flags,
        @DefaultValue Context context,
        @DefaultValue Map<String, Capability> capabilities) {

    /**
     * Flags come from a bootstrap file, and from an Unleash server when {@code unleashUrl} is set;
     * a server that cannot be reached leaves the last known (or bootstrapped) flags in force, and
     * a flag nobody defined is off: the call stays in the monolith.
     *
     * @param bootstrap       the flags to start from (Unleash's client features JSON); a Spring
     *                        resource location
     * @param unleashUrl      the Unleash server's API, e.g. {@code http://localhost:4242/api/}; empty
     *                        for none
     * @param apiToken        a client API token of that server
     * @param appName         how this application introduces itself to the server
     * @param environment     the Unleash environment
     * @param refreshInterval how often flags are fetched from the server
     * @param backupFile      where the last flags fetched from the server are kept, to start from
     *                        them when it is down; empty means a temporary file
     */
    public record Flags(
            @DefaultValue("classpath:routing-flags.json") String bootstrap,
            @DefaultValue("") String unleashUrl,
            @DefaultValue("") String apiToken,
            @DefaultValue("ficus") String appName,
            @DefaultValue("development") String environment,
            @DefaultValue("5s") Duration refreshInterval,
            @DefaultValue("") String backupFile) {
    }

    /**
     * @param userIdHeader    request header naming the user (else the authenticated principal)
     * @param sessionIdHeader request header naming the session (else the HTTP session, if any)
     */
    public record Context(
            @DefaultValue("X-User-Id") String userIdHeader,
            @DefaultValue("X-Session-Id") String sessionIdHeader) {
    }

    /**
     * One capability: its calls follow the flags {@code <name>.shadow} (compare in the shadows)
     * and {@code <name>.extracted} (a gradual rollout to the service: 100% is a cut-over).
     *
     * @param methods             the API methods it covers
     * @param writes              whether these methods change data: writes are never shadowed, and
     *                            fall back to the module only when the service surely did not get
     *                            them (open circuit, no connection)
     * @param timeout             longest wait for the service
     * @param shadowQueue         shadow calls waiting at most; more are dropped and counted
     * @param ignoredFields       JSON fields left out when comparing the two answers
     * @param mismatchSamples     recent mismatches kept for inspection
     * @param failureRate         percentage of failed calls that opens the circuit
     * @param minimumCalls        calls the failure rate is measured over
     * @param openFor             how long an open circuit sends everything to the module before it
     *                            lets trial calls through
     */
    public record Capability(
            List<String> methods,
            @DefaultValue("false") boolean writes,
            @DefaultValue("1s") Duration timeout,
            @DefaultValue("1000") int shadowQueue,
            @DefaultValue List<String> ignoredFields,
            @DefaultValue("20") int mismatchSamples,
            @DefaultValue("50") float failureRate,
            @DefaultValue("10") int minimumCalls,
            @DefaultValue("5s") Duration openFor) {

        public Capability {
            if (methods == null || methods.isEmpty()) {
                throw new IllegalArgumentException("A routed capability needs its methods listed");
            }
        }
    }
}
