package com.example.clinic;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import dev.ficus.toolkit.cdc.ChangeStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The clinic in its default mode, on H2: it runs as it did before it adopted the toolkit. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClinicApplicationTests {

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void pagesAndTheApiAnswer() throws Exception {
        HttpResponse<String> page = get("/owners/1", "text/html");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("George Franklin", "Madison", "Leo");

        HttpResponse<String> api = get("/api/owners/2", "application/json");
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.body()).contains("\"name\":\"Betty Davis\"", "\"name\":\"Rosy\",\"visits\":1");
    }

    /** A browser keeps getting the clinic's own error page; the JSON API answers with a problem. */
    @Test
    void htmlErrorsStayHtmlAndApiErrorsAreProblems() throws Exception {
        HttpResponse<String> page = get("/owners/99", "text/html");
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/html"));
        assertThat(page.body()).contains("This page of the clinic does not exist");

        HttpResponse<String> api = get("/api/owners/99", "application/json");
        assertThat(api.statusCode()).as("the app's own @ResponseStatus").isEqualTo(404);
        assertThat(api.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    /** On H2 there is no change stream, and nothing reports it missing. */
    @Test
    void noChangeDataCaptureAndHealthy() throws Exception {
        assertThat(context.getBeanProvider(ChangeStream.class).getIfAvailable()).isNull();
        HttpResponse<String> health = get("/actuator/health", "application/json");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
    }

    /** Given a JDK 17 (JAVA17_HOME), the clinic's tests run on it, toolkit and all. */
    @Test
    void runsOnJava17WhenOneIsGiven() {
        assumeTrue(System.getenv("JAVA17_HOME") != null, "no JAVA17_HOME: the tests run on the build's JDK");
        assertThat(Runtime.version().feature()).isEqualTo(17);
    }

    private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
    }
}
