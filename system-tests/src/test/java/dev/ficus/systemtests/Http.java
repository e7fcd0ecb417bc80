package dev.ficus.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON over HTTP to one of the running applications: anonymously, with a bearer token (a user of
 * the shop, see {@link Login}), or as its operator (HTTP Basic).
 */
final class Http {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int port;
    private final String baseUrl;
    private final String authorization;

    private Http(int port, String authorization) {
        this.port = port;
        this.baseUrl = "http://127.0.0.1:" + port;
        this.authorization = authorization;
    }

    static Http to(int port) {
        return new Http(port, null);
    }

    /** A copy that sends HTTP Basic credentials: the operator's, for operations endpoints. */
    Http as(String user, String password) {
        return new Http(port, "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** A copy that sends this bearer token (one the shop issued) with every request. */
    Http withToken(String token) {
        return new Http(port, "Bearer " + token);
    }

    int port() {
        return port;
    }

    Response get(String path, String... headers) {
        return send("GET", path, null, null, headers);
    }

    Response post(String path, String json, String... headers) {
        return send("POST", path, json, "application/json", headers);
    }

    /** A form post ({@code application/x-www-form-urlencoded}), as to the token endpoint. */
    Response postForm(String path, String form) {
        return send("POST", path, form, "application/x-www-form-urlencoded");
    }

    Response put(String path, String json, String... headers) {
        return send("PUT", path, json, "application/json", headers);
    }

    /** The status, or 0 if nothing answers. */
    int status(String path) {
        try {
            return get(path).status();
        }
        catch (UncheckedIOException e) {
            return 0;
        }
    }

    private Response send(String method, String path, String body, String contentType, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body(), response.headers());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Response(int status, String contentType, String body, java.net.http.HttpHeaders headers) {

        java.util.Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }
}
