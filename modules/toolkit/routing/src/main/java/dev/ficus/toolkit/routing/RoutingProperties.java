package dev.ficus.toolkit.routing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

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
     *                        resource location; where there is no such file, no flag is on
     * @param unleashUrl      the Unleash server's API, e.g. {@code http://localhost:4242/api/}; empty
     *                        for none
     * @param apiToken        a client API token of that server
     * @param appName         how this application introduces itself to the server
     * @param environment     the Unleash environment
     * @param refreshInterval how often flags are fetched from the server
     * @param backupFile      where the last flags fetched from the server are kept, to start from
     *                        them when it is down; empty means a temporary file
     * @param decisionCache   memory the decisions remembered per flag and caller may take, as
     *                        estimated from the length of the caller's ids; {@code 0} remembers
     *                        none, and every decision asks Unleash's engine, which takes
     *                        microseconds
     */
    public record Flags(
            @DefaultValue("classpath:routing-flags.json") String bootstrap,
            @DefaultValue("") String unleashUrl,
            @DefaultValue("") String apiToken,
            @DefaultValue("ficus") String appName,
            @DefaultValue("development") String environment,
            @DefaultValue("5s") Duration refreshInterval,
            @DefaultValue("") String backupFile,
            @DefaultValue("16MB") DataSize decisionCache) {
    }

    /**
     * Who a call is for. A gradual rollout is sticky to one identity, passed to Unleash as its
     * {@code userId} (so flags use the stickiness {@code userId}): the user if known, else the
     * session. A caller of an HTTP request that names neither gets a random id in a cookie on first
     * contact, and is known by it from then on. A call made outside an HTTP request (a scheduled
     * job, an event listener), or for which a custom {@link CallContext} names no one, is made for
     * one caller, {@code backgroundId}: a canary sends all such calls to the same side, a rollout at
     * 100% sends them all to the service.
     *
     * @param userIdHeader     request header naming the user; an authenticated principal wins over
     *                         it unless {@code userIdHeaderWins}
     * @param userIdHeaderWins whether the user header wins over an authenticated principal: only
     *                         behind a gateway that authenticates callers and sets the header
     * @param sessionIdHeader  request header naming the session, for callers with no user
     * @param cookie           name of the cookie that carries an anonymous caller's id (HttpOnly,
     *                         SameSite=Lax); a value that is not such an id is ignored and replaced
     * @param cookieMaxAge     how long a browser keeps that cookie
     * @param maxIdLength      longest id (user, session, address) used as it is; a longer one is
     *                         replaced by its SHA-256 in hex (64 characters), so that what is kept
     *                         per caller stays small
     * @param backgroundId     the identity of calls made for no one in particular
     */
    public record Context(
            @DefaultValue("X-User-Id") String userIdHeader,
            @DefaultValue("false") boolean userIdHeaderWins,
            @DefaultValue("X-Session-Id") String sessionIdHeader,
            @DefaultValue("ficus-routing-id") String cookie,
            @DefaultValue("365d") Duration cookieMaxAge,
            @DefaultValue("128") int maxIdLength,
            @DefaultValue("background") String backgroundId) {

        public Context {
            if (maxIdLength < 64) {
                throw new IllegalArgumentException("ficus.routing.context.max-id-length must be at least 64, "
                        + "the length of the SHA-256 that replaces a longer id");
            }
            if (backgroundId.isBlank()) {
                throw new IllegalArgumentException("ficus.routing.context.background-id must not be blank");
            }
        }
    }

    /**
     * One capability: its calls follow the flags {@code <name>.shadow} (compare in the shadows)
     * and {@code <name>.extracted} (a gradual rollout to the service: 100% is a cut-over).
     *
     * @param methods             the API methods it covers; none for a capability whose events
     *                            are routed instead ({@code ficus.messaging.routed-capabilities})
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
            @DefaultValue List<String> methods,
            @DefaultValue("false") boolean writes,
            @DefaultValue("1s") Duration timeout,
            @DefaultValue("1000") int shadowQueue,
            @DefaultValue List<String> ignoredFields,
            @DefaultValue("20") int mismatchSamples,
            @DefaultValue("50") float failureRate,
            @DefaultValue("10") int minimumCalls,
            @DefaultValue("5s") Duration openFor) {
    }
}
