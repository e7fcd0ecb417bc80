package dev.ficus.toolkit.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.UnleashContext;
import io.getunleash.event.ClientFeaturesResponse;
import io.getunleash.event.UnleashSubscriber;
import io.getunleash.util.UnleashConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.ResourceLoader;

/**
 * The feature flags routing follows, evaluated by the Unleash client: from the bootstrap file, and
 * from an Unleash server when one is configured. Besides evaluating, it keeps what each flag was
 * last defined as, so that operators can see the route of every capability.
 */
final class RoutingFlags implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoutingFlags.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Unleash unleash;
    private final AtomicReference<Map<String, FlagState>> states = new AtomicReference<>(Map.of());

    RoutingFlags(RoutingProperties.Flags settings, ResourceLoader resources) {
        String bootstrap = read(resources, settings.bootstrap());
        Path backup = backupFile(settings);
        boolean server = !settings.unleashUrl().isBlank();
        UnleashConfig.Builder config = UnleashConfig.builder()
                .appName(settings.appName())
                .instanceId(settings.appName() + "-" + java.util.UUID.randomUUID())
                .environment(settings.environment())
                .unleashAPI(server ? settings.unleashUrl() : "http://127.0.0.1:0/api/")
                .backupFile(backup.toString())
                .toggleBootstrapProvider(() -> Optional.of(bootstrap))
                .synchronousFetchOnInitialisation(false)
                .subscriber(new UnleashSubscriber() {
                    @Override
                    public void togglesFetched(ClientFeaturesResponse response) {
                        response.getClientFeatures().ifPresent(RoutingFlags.this::remember);
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

    /** Whether the flag is on for this call; an unknown flag is off. */
    boolean enabled(String flag, UnleashContext context) {
        return unleash.isEnabled(flag, context, false);
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
        if (!settings.backupFile().isBlank()) {
            return Path.of(settings.backupFile()).toAbsolutePath();
        }
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

    private static String read(ResourceLoader resources, String location) {
        try {
            return resources.getResource(location).getContentAsString(StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read the routing flags bootstrap " + location, e);
        }
    }
}
