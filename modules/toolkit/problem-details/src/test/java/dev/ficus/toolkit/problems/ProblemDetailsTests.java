package dev.ficus.toolkit.problems;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(classes = ProblemDetailsTests.Echo.class)
@AutoConfigureMockMvc
@TestPropertySource(properties = "ficus.problems.max-request-body=1KB")
class ProblemDetailsTests {

    /** What a browser asks for when it loads a page. */
    static final String BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    @Autowired
    MockMvcTester mvc;

    @SpringBootApplication
    @ImportAutoConfiguration(ProblemDetailsAutoConfiguration.class)
    @RestController
    static class Echo {

        record Parcel(@NotBlank String label, @Valid List<Item> items) {
        }

        record Item(@Min(1) int count) {
        }

        @PostMapping("/parcels")
        Parcel accept(@Valid @RequestBody Parcel parcel) {
            return parcel;
        }

        @GetMapping("/parcels")
        String list(@RequestParam @Min(0) int page) {
            return "page " + page;
        }

        @GetMapping("/parcels/broken")
        String broken() {
            throw new IllegalStateException("internal detail that must not leak");
        }

        @ResponseStatus(code = HttpStatus.CONFLICT, reason = "The parcel left already")
        static class ParcelGone extends RuntimeException {
        }

        @GetMapping("/parcels/gone")
        String gone() {
            throw new ParcelGone();
        }

        static class ParcelHeld extends RuntimeException implements ErrorResponse {

            @Override
            public HttpStatusCode getStatusCode() {
                return HttpStatus.LOCKED;
            }

            @Override
            public ProblemDetail getBody() {
                return ProblemDetail.forStatusAndDetail(HttpStatus.LOCKED, "The parcel is held at customs");
            }
        }

        @GetMapping("/parcels/held")
        String held() {
            throw new ParcelHeld();
        }

        @GetMapping("/parcels/returned")
        String returned() {
            throw new ResponseStatusException(HttpStatus.GONE, "The parcel went back to its sender");
        }

        /** An HTML form's body: not JSON, so not the problem-details limit's to refuse. */
        @PostMapping(path = "/parcels/form", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
        String form(@RequestParam String note) {
            return "note of " + note.length();
        }

        /** As a connection pool that timed out, wrapped by a transaction manager, would fail. */
        @GetMapping("/parcels/unreachable")
        String unreachable() {
            throw new IllegalStateException("Could not open JDBC Connection for transaction",
                    new java.sql.SQLTransientConnectionException("pool - Connection is not available, request timed out"));
        }
    }

    @Test
    void anApplicationsOwnResponseStatusStands() {
        assertThat(mvc.get().uri("/parcels/gone"))
                .hasStatus(409)
                .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson().extractingPath("$.detail").isEqualTo("The parcel left already");
    }

    @Test
    void anApplicationsOwnErrorResponseKeepsItsStatus() {
        assertThat(mvc.get().uri("/parcels/held").accept(MediaType.APPLICATION_JSON))
                .hasStatus(423)
                .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson().extractingPath("$.detail").isEqualTo("The parcel is held at customs");
        assertThat(mvc.get().uri("/parcels/returned").accept(MediaType.APPLICATION_PROBLEM_JSON))
                .hasStatus(410)
                .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson().extractingPath("$.detail").isEqualTo("The parcel went back to its sender");
    }

    @Test
    void aClientThatTakesJsonOrAnythingGetsAProblem() {
        for (String accept : List.of("application/json", "application/problem+json", "*/*",
                "application/json, text/plain, */*", "text/html;q=0.5, application/json")) {
            assertThat(mvc.get().uri("/parcels/gone").header("Accept", accept))
                    .as(accept)
                    .hasStatus(409)
                    .hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
    }

    /** A client that takes no JSON is left to Spring MVC's own resolvers, which keep the status too. */
    @Test
    void aClientThatTakesNoJsonGetsNoProblem() {
        for (String accept : List.of("application/xml", "text/html", BROWSER)) {
            var result = mvc.get().uri("/parcels/gone").header("Accept", accept).exchange();
            assertThat(result).as(accept).hasStatus(409);
            assertThat(result.getResponse().getContentType()).as(accept).isNull();
            assertThat(result.getResponse().getErrorMessage()).as(accept).isEqualTo("The parcel left already");
        }
    }

    @Test
    void theBodyLimitIsForJsonNotForForms() {
        String note = "x".repeat(4_000);
        assertThat(mvc.post().uri("/parcels/form").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .content("note=" + note))
                .hasStatusOk()
                .bodyText().isEqualTo("note of 4000");
        assertThat(post("{\"label\": \"" + note + "\"}"))
                .hasStatus(413)
                .hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void anUnreachableDatabaseIsA503ProblemToRetry() {
        assertThat(mvc.get().uri("/parcels/unreachable"))
                .hasStatus(503)
                .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
                .hasHeader("Retry-After", "1")
                .bodyJson().satisfies(body -> assertThat(body.getJson())
                        .contains("urn:problem-type:database-unavailable")
                        .doesNotContain("pool"));
    }

    @Test
    void anUnexpectedFailureIsA500ProblemThatLeaksNothing() {
        assertThat(mvc.get().uri("/parcels/broken"))
                .hasStatus(500)
                .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson().satisfies(body -> assertThat(body.getJson())
                        .contains("urn:problem-type:internal-error")
                        .doesNotContain("internal detail"));
    }

    @Test
    void validationErrorsNameTheirFields() {
        assertThat(post("{\"label\": \"\", \"items\": [{\"count\": 0}]}"))
                .hasStatus(400)
                .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson().extractingPath("$.errors[*].field").asArray().containsExactly("items[0].count", "label");
    }

    @Test
    void aMistypedValueNamesItsJsonPath() {
        assertThat(post("{\"label\": \"x\", \"items\": [{\"count\": \"many\"}]}"))
                .hasStatus(400)
                .bodyJson().extractingPath("$.errors[0]").isEqualTo(
                        java.util.Map.of("field", "items[0].count", "message", "must be a number"));
    }

    @Test
    void malformedAndMissingBodiesAreBadRequests() {
        assertThat(post("{\"label\": ")).hasStatus(400)
                .bodyJson().extractingPath("$.type").isEqualTo("urn:problem-type:malformed-body");
        assertThat(post("")).hasStatus(400)
                .bodyJson().extractingPath("$.detail").isEqualTo("The request body is missing.");
    }

    @Test
    void invalidParametersAreNamed() {
        assertThat(mvc.get().uri("/parcels?page=-1")).hasStatus(400)
                .bodyJson().extractingPath("$.errors[0].field").isEqualTo("page");
        assertThat(mvc.get().uri("/parcels?page=first")).hasStatus(400)
                .bodyJson().extractingPath("$.errors[0].message").isEqualTo("'first' is not a valid int");
    }

    @Test
    void aBodyOverTheLimitIsRefused() {
        assertThat(post("{\"label\": \"" + "x".repeat(2_000) + "\"}"))
                .hasStatus(413)
                .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson().extractingPath("$.type").isEqualTo("urn:problem-type:request-too-large");
    }

    private MockMvcTester.MockMvcRequestBuilder post(String json) {
        return mvc.post().uri("/parcels").contentType(MediaType.APPLICATION_JSON).content(json);
    }
}
