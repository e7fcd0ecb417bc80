package dev.ficus.toolkit.routing;

import java.net.ConnectException;

import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** A write the extracted service did not confirm is a 503 problem, with no other toolkit module's help. */
class RoutingProblemsTests {

    @RestController
    static class Products {

        @PostMapping("/products")
        void create() {
            throw new ExtractedServiceFailed("catalog", new ConnectException("refused"));
        }
    }

    @Test
    void anUnconfirmedWriteIsA503Problem() throws Exception {
        MockMvc mvc = MockMvcBuilders.standaloneSetup(new Products()).setControllerAdvice(new RoutingProblems()).build();
        mvc.perform(post("/products"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("urn:problem-type:extracted-service-failed"))
                .andExpect(jsonPath("$.detail").value(startsWith("The catalog service did not answer")));
    }

    @Test
    void routingNeedsNoProblemDetailsModule() {
        assertThat(ClassUtils.isPresent("dev.ficus.toolkit.problems.Problems", null)).isFalse();
    }
}
