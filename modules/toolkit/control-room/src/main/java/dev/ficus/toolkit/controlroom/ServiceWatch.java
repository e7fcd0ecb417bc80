package dev.ficus.toolkit.controlroom;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.StringUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * Fetches each extracted service's replication status in the background, so that the page shows
 * the latest one at once however slow or absent a service is; and acts on a service (replay,
 * reconcile, phase switch) as the operator.
 */
final class ServiceWatch implements DisposableBean {

    /** What a service said last, or why it could not be asked; {@code at}: when it was asked. */
    record Seen(@Nullable JsonNode replication, @Nullable JsonNode deadLetters, @Nullable String error,
            Instant at) {
    }

    private final Map<String, URI> services = new LinkedHashMap<>();
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final RestClient client;
    private final ScheduledExecutorService poller;

    ServiceWatch(ControlRoomProperties properties) {
        properties.modules().forEach((module, settings) -> {
            if (settings.serviceUrl() != null) {
                services.put(module, settings.serviceUrl());
            }
        });
        // HttpURLConnection: no client to close, no thread of its own.
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(properties.serviceTimeout());
        requests.setReadTimeout(properties.serviceTimeout());
        RestClient.Builder builder = RestClient.builder().requestFactory(requests);
        if (StringUtils.hasText(properties.serviceUsername()) && StringUtils.hasText(properties.servicePassword())) {
            builder.defaultHeaders(headers -> headers.setBasicAuth(properties.serviceUsername(),
                    properties.servicePassword()));
        }
        this.client = builder.build();
        CustomizableThreadFactory threads = new CustomizableThreadFactory("ficus-control-room-");
        threads.setDaemon(true);
        this.poller = Executors.newSingleThreadScheduledExecutor(threads);
        if (!services.isEmpty()) {
            long every = properties.refreshInterval().toMillis();
            poller.scheduleWithFixedDelay(this::refresh, 0, every, TimeUnit.MILLISECONDS);
        }
    }

    /** What the module's service said last; null if it has none or was not asked yet. */
    @Nullable Seen seen(String module) {
        return seen.get(module);
    }

    void refresh() {
        services.forEach(this::fetch);
    }

    /**
     * Asks the module's service and keeps its answer, unless an answer to a later question (after
     * an action, say) was kept meanwhile: {@link Seen#at} is when the question was asked.
     */
    private void fetch(String module, URI url) {
        Instant asked = Instant.now();
        Seen answer;
        try {
            JsonNode status = get(url, "/actuator/replication");
            JsonNode deadLetters = status != null && status.path("pendingDeadLetters").asLong() > 0
                    ? get(url, "/actuator/replication/dead-letters") : null;
            answer = new Seen(status, deadLetters, null, asked);
        }
        catch (RestClientException e) {
            answer = new Seen(null, null, reason(e), asked);
        }
        catch (RuntimeException e) {
            // An answer that is not what a service says (not JSON, say): shown, and asked again next time.
            answer = new Seen(null, null, e.getClass().getSimpleName() + ": " + e.getMessage(), asked);
        }
        seen.merge(module, answer, (kept, fresh) -> fresh.at().isBefore(kept.at()) ? kept : fresh);
    }

    /** What went wrong at the bottom: "ConnectException: Connection refused", say. */
    static String reason(RestClientException e) {
        Throwable cause = e.getMostSpecificCause();
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    private @Nullable JsonNode get(URI url, String path) {
        return client.get().uri(url.resolve(path)).accept(MediaType.APPLICATION_JSON).retrieve().body(JsonNode.class);
    }

    /**
     * Posts to the module's service's replication endpoint as the operator and fetches its status
     * again; the service's own refusal (a problem) comes back as a {@link RestClientException}.
     */
    @Nullable JsonNode act(String module, String part, String body) {
        URI url = services.get(module);
        if (url == null) {
            throw new IllegalArgumentException("Module " + module + " has no extracted service");
        }
        JsonNode answer = client.post().uri(url.resolve("/actuator/replication/" + part))
                .header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE).body(body)
                .retrieve().body(JsonNode.class);
        fetch(module, url);
        return answer;
    }

    @Override
    public void destroy() throws InterruptedException {
        poller.shutdownNow();
        poller.awaitTermination(5, TimeUnit.SECONDS);
    }

    static @Nullable Duration duration(JsonNode node) {
        if (node.isNumber()) {
            return Duration.ofNanos((long) (node.asDouble() * 1_000_000_000L));
        }
        if (node.isString()) {
            return Duration.parse(node.asString());
        }
        return null;
    }
}
