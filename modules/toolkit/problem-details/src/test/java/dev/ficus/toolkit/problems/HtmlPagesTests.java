package dev.ficus.toolkit.problems;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with HTML pages besides its JSON API, on a real server: the pages keep Spring
 * Boot's error handling (its error page, the application's own error pages), the API gets
 * problems.
 */
@SpringBootTest(classes = HtmlPagesTests.Shop.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "ficus.problems.max-request-body=1KB")
class HtmlPagesTests {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @SpringBootApplication
    @ImportAutoConfiguration(ProblemDetailsAutoConfiguration.class)
    @Import({Shop.Pages.class, Shop.Api.class})
    static class Shop {

        @ResponseStatus(code = HttpStatus.CONFLICT, reason = "The parcel left already")
        static class ParcelGone extends RuntimeException {
        }

        /** Recognised by a translator, as a write to a table whose writes moved elsewhere is. */
        static class ShelfMoved extends RuntimeException {
        }

        @Bean
        ProblemTranslator shelfMoved() {
            return ex -> ex instanceof ShelfMoved
                    ? Optional.of(ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "The shelf moved"))
                    : Optional.empty();
        }

        @Controller
        static class Pages {

            @GetMapping(path = "/basket", produces = MediaType.TEXT_HTML_VALUE)
            @ResponseBody
            String basket() {
                throw new IllegalStateException("internal detail that must not leak");
            }

            @GetMapping(path = "/parcel", produces = MediaType.TEXT_HTML_VALUE)
            @ResponseBody
            String parcel() {
                throw new ParcelGone();
            }

            @GetMapping(path = "/shelf", produces = MediaType.TEXT_HTML_VALUE)
            @ResponseBody
            String shelf() {
                throw new ShelfMoved();
            }

            @PostMapping(path = "/notes", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
                    produces = MediaType.TEXT_HTML_VALUE)
            @ResponseBody
            String note(@RequestParam String note) {
                return "<p>note of " + note.length() + "</p>";
            }
        }

        @RestController
        static class Api {

            record Note(String text) {
            }

            @GetMapping("/api/basket")
            String basket() {
                throw new IllegalStateException("internal detail that must not leak");
            }

            @GetMapping("/api/parcel")
            String parcel() {
                throw new ParcelGone();
            }

            @PostMapping("/api/notes")
            String note(@RequestBody Note note) {
                return "note of " + note.text().length();
            }
        }
    }

    @Test
    void aFailingPageGetsSpringBootsErrorPage() throws Exception {
        var page = get("/basket", ProblemDetailsTests.BROWSER);
        assertThat(page.statusCode()).isEqualTo(500);
        assertThat(contentType(page)).startsWith(MediaType.TEXT_HTML_VALUE);
        assertThat(page.body()).contains("Whitelabel Error Page").doesNotContain("internal detail", "problem-type");
    }

    @Test
    void aPagesOwnStatusIsShownWithTheApplicationsErrorPage() throws Exception {
        var page = get("/parcel", ProblemDetailsTests.BROWSER);
        assertThat(page.statusCode()).isEqualTo(409);
        assertThat(contentType(page)).startsWith(MediaType.TEXT_HTML_VALUE);
        assertThat(page.body()).contains("The shop's own page: that parcel has already left.");
    }

    @Test
    void aTranslatedFailureKeepsItsStatusOnThePage() throws Exception {
        var page = get("/shelf", ProblemDetailsTests.BROWSER);
        assertThat(page.statusCode()).isEqualTo(409);
        assertThat(contentType(page)).startsWith(MediaType.TEXT_HTML_VALUE);
    }

    @Test
    void anUnknownPageIsSpringBootsNotFoundPage() throws Exception {
        var page = get("/nowhere", ProblemDetailsTests.BROWSER);
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(contentType(page)).startsWith(MediaType.TEXT_HTML_VALUE);
        assertThat(page.body()).contains("Whitelabel Error Page");
    }

    @Test
    void theApiAnswersTheSameFailuresWithProblems() throws Exception {
        for (String accept : new String[] {"application/json", "application/problem+json", "*/*", null}) {
            var broken = get("/api/basket", accept);
            assertThat(broken.statusCode()).as(accept).isEqualTo(500);
            assertThat(contentType(broken)).as(accept).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            assertThat(broken.body()).as(accept).contains("urn:problem-type:internal-error").doesNotContain("internal detail");

            var gone = get("/api/parcel", accept);
            assertThat(gone.statusCode()).as(accept).isEqualTo(409);
            assertThat(contentType(gone)).as(accept).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            assertThat(gone.body()).as(accept).contains("\"detail\":\"The parcel left already\"");

            var unknown = get("/api/nowhere", accept);
            assertThat(unknown.statusCode()).as(accept).isEqualTo(404);
            assertThat(contentType(unknown)).as(accept).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        }
    }

    @Test
    void aFormLargerThanTheLimitPassesAJsonBodyDoesNot() throws Exception {
        String note = "x".repeat(4_000);
        var form = http.send(HttpRequest.newBuilder(uri("/notes"))
                .header("Accept", ProblemDetailsTests.BROWSER)
                .header("Content-Type", MediaType.APPLICATION_FORM_URLENCODED_VALUE)
                .POST(BodyPublishers.ofString("note=" + note)).build(), BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).isEqualTo("<p>note of 4000</p>");

        var json = http.send(HttpRequest.newBuilder(uri("/api/notes"))
                .header("Content-Type", MediaType.APPLICATION_JSON_VALUE)
                .POST(BodyPublishers.ofString("{\"text\": \"" + note + "\"}")).build(), BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(413);
        assertThat(contentType(json)).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        assertThat(json.body()).contains("urn:problem-type:request-too-large");
    }

    private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(uri(path));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }
}
