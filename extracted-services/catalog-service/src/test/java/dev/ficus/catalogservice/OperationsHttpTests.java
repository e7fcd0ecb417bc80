package dev.ficus.catalogservice;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Probes are open to load balancers; everything else operational needs credentials. */
@CatalogServiceTest
class OperationsHttpTests {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort
    int port;

    @Test
    void healthAndItsProbesAreOpen() throws Exception {
        for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            HttpResponse<String> health = get(path, null);
            assertThat(health.statusCode()).as(path).isEqualTo(200);
            assertThat(health.body()).as(path).contains("\"status\":\"UP\"");
        }
        HttpResponse<String> info = get("/actuator/info", null);
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.body()).contains("Ficus catalog service");
    }

    @Test
    void otherOperationsEndpointsNeedCredentials() throws Exception {
        for (String path : List.of("/actuator/prometheus", "/actuator/metrics")) {
            assertThat(get(path, null).statusCode()).as(path).isEqualTo(401);
            assertThat(get(path, "ops:wrong").statusCode()).as(path).isEqualTo(401);
            assertThat(get(path, "ops:test-secret").statusCode()).as(path).isEqualTo(200);
        }
        assertThat(get("/actuator/prometheus", "ops:test-secret").body()).contains("http_server_requests");
    }

    @Test
    void adminPathsNeedCredentialsAndTheApiDoesNot() throws Exception {
        HttpResponse<String> admin = get("/admin/anything", null);
        assertThat(admin.statusCode()).isEqualTo(401);
        assertThat(admin.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Basic"));
        assertThat(get("/admin/anything", "ops:test-secret").statusCode()).isEqualTo(404);

        HttpResponse<String> search = get("/api/catalog/products?size=1", null);
        assertThat(search.statusCode()).isEqualTo(200);
        assertThat(search.headers().allValues("Set-Cookie")).isEmpty();
    }

    private HttpResponse<String> get(String path, String credentials) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (credentials != null) {
            request.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
