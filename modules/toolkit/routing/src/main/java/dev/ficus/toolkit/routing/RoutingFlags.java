package dev.ficus.toolkit.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.event.ClientFeaturesResponse;
import io.getunleash.event.UnleashSubscriber;
import io.getunleash.util.UnleashConfig;
import io.getunleash.util.UnleashScheduledExecutorImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The feature flags routing follows, evaluated by the Unleash client: from the bootstrap file, and
 * from an Unleash server when one is configured. Besides evaluating, it keeps what each flag was
 * last defined as, so that operators can see the route of every capability.
 */
final class RoutingFlags implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoutingFlags.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Unleash's client features JSON without a feature. */
    private static final String NO_FLAGS = "{\"version\": 2, \"features\": []}";

    private final Unleash unleash;
    private final AtomicReference<Map<String, FlagState>> states = new AtomicReference<>(Map.of());
    /** Null when no decision is remembered. */
    private final Cache<Decision, Boolean> decisions;

    /** One flag evaluated for one caller. */
    private record Decision(String flag, Caller caller) {

        /**
         * The bytes it takes in the cache, estimated on the high side: the cache's entry, this
         * record and the caller (160 bytes), and each of the caller's strings (40 bytes, and two
         * per character, where most take one). The flag's name is shared by all its decisions.
         */
        int weight() {
            return 160 + weight(caller.userId()) + weight(caller.sessionId()) + weight(caller.remoteAddress());
        }

        private static int weight(String id) {
            return id == null ? 0 : 40 + 2 * id.length();
        }
    }

    RoutingFlags(RoutingProperties.Flags settings, ResourceLoader resources) {
        this.decisions = settings.decisionCache().toBytes() <= 0 ? null : Caffeine.newBuilder()
                .maximumWeight(settings.decisionCache().toBytes())
                .<Decision, Boolean>weigher((decision, enabled) -> decision.weight())
                .build();
        String bootstrap = read(resources, settings.bootstrap());
        boolean server = !settings.unleashUrl().isBlank();
        // Without a server the bootstrap file is the truth: a backup of an earlier server's flags
        // would take precedence over it in the client, so none is read.
        Path backup = server ? backupFile(settings) : temporaryFile();
        UnleashConfig.Builder config = UnleashConfig.builder()
                .appName(settings.appName())
                .instanceId(settings.appName() + "-" + UUID.randomUUID())
                .environment(settings.environment())
                .unleashAPI(server ? settings.unleashUrl() : "http://127.0.0.1:0/api/")
                .backupFile(backup.toString())
                .toggleBootstrapProvider(() -> Optional.of(bootstrap))
                .synchronousFetchOnInitialisation(false)
                // Its own threads: by default all clients in a JVM share one executor, and shutting
                // one client down (an application context closing, say) would stop the others.
                .scheduledExecutor(new UnleashScheduledExecutorImpl())
                .subscriber(new UnleashSubscriber() {
                    @Override
                    public void togglesFetched(ClientFeaturesResponse response) {
                        if (response.getStatus() == ClientFeaturesResponse.Status.CHANGED) {
                            response.getClientFeatures().ifPresent(RoutingFlags.this::remember);
                        }
                        // Also when nothing changed: a decision taken while the client was taking
                        // in new flags lives at most one more fetch.
                        forgetDecisions();
                    }
                });
        if (server) {
            config.apiKey(settings.apiToken())
                    .fetchTogglesInterval(Math.max(1, settings.refreshInterval().toSeconds()));
        }
        else {
            config.disablePolling().disableMetrics();
        }
        // The client starts from its backup when there is one, else from the bootstrap.
        remember(Files.isRegularFile(backup) ? readBackup(backup, bootstrap) : bootstrap);
        this.unleash = new DefaultUnleash(config.build());
        log.info("Routing flags from {}{}", settings.bootstrap(),
                server ? " and " + settings.unleashUrl() + " every " + settings.refreshInterval() : "");
    }

    /**
     * Whether the flag is on for this caller; an unknown flag is off. Unleash's engine takes
     * microseconds per evaluation, so each caller's decision is remembered, within the memory
     * allowed, until the flags change: the rollouts routing uses are sticky, so the answer could
     * not differ anyway. (A strategy that depends on the time of day is not for routing flags.)
     * They are forgotten at every fetch.
     */
    boolean enabled(String flag, Caller caller) {
        if (decisions == null) {
            return evaluate(flag, caller);
        }
        Decision decision = new Decision(flag, caller);
        Boolean enabled = decisions.getIfPresent(decision);
        if (enabled == null) {
            enabled = evaluate(flag, caller);
            decisions.put(decision, enabled);
        }
        return enabled;
    }

    private boolean evaluate(String flag, Caller caller) {
        return unleash.isEnabled(flag, caller.toUnleashContext(), false);
    }

    /** Decisions remembered now. */
    long rememberedDecisions() {
        if (decisions == null) {
            return 0;
        }
        decisions.cleanUp();
        return decisions.estimatedSize();
    }

    /** Bytes the decisions remembered now take, as estimated. */
    long rememberedBytes() {
        if (decisions == null) {
            return 0;
        }
        decisions.cleanUp();
        return decisions.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    private void forgetDecisions() {
        if (decisions != null) {
            decisions.invalidateAll();
        }
    }

    FlagState state(String flag) {
        return states.get().getOrDefault(flag, FlagState.UNKNOWN);
    }

    @Override
    public void close() {
        unleash.shutdown();
    }

    private void remember(String features) {
        try {
            Map<String, FlagState> parsed = new HashMap<>();
            for (JsonNode feature : JSON.readTree(features).path("features")) {
                parsed.put(feature.path("name").asString(), new FlagState(true,
                        feature.path("enabled").asBoolean(false), rollout(feature)));
            }
            states.set(Map.copyOf(parsed));
            forgetDecisions();
        }
        catch (RuntimeException e) {
            log.warn("Could not read the flag definitions: {}", e.getMessage());
        }
    }

    /** The largest share any of the flag's strategies lets in. */
    private static int rollout(JsonNode feature) {
        int rollout = 0;
        for (JsonNode strategy : feature.path("strategies")) {
            JsonNode percentage = strategy.path("parameters").path("rollout");
            rollout = Math.max(rollout, percentage.isMissingNode() ? 100 : Integer.parseInt(percentage.asString()));
        }
        return feature.path("strategies").isEmpty() ? 100 : rollout;
    }

    private static Path backupFile(RoutingProperties.Flags settings) {
        return settings.backupFile().isBlank() ? temporaryFile() : Path.of(settings.backupFile()).toAbsolutePath();
    }

    private static Path temporaryFile() {
        try {
            Path file = Files.createTempFile("ficus-routing-flags", ".json");
            Files.delete(file);
            file.toFile().deleteOnExit();
            return file;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readBackup(Path backup, String fallback) {
        try {
            String content = Files.readString(backup);
            return content.isBlank() ? fallback : content;
        }
        catch (IOException e) {
            return fallback;
        }
    }

    /** The bootstrap file's flags; none at all when there is no such file. */
    private static String read(ResourceLoader resources, String location) {
        Resource resource = resources.getResource(location);
        if (!resource.exists()) {
            log.info("No routing flags bootstrap at {}: every flag is off, and every call stays in the monolith, "
                    + "until an Unleash server says otherwise", location);
            return NO_FLAGS;
        }
        try {
            return resource.getContentAsString(StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read the routing flags bootstrap " + location, e);
        }
    }
}
