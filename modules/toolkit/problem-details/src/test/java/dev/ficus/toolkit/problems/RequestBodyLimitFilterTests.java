package dev.ficus.toolkit.problems;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.StreamUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestBodyLimitFilterTests {

    private static final byte[] LARGE = ("{\"note\": \"" + "x".repeat(4_000) + "\"}").getBytes(StandardCharsets.UTF_8);

    @Test
    void refusesAJsonBodyOverTheLimitBeforeReadingIt() throws Exception {
        var chain = new MockFilterChain();
        var response = new MockHttpServletResponse();
        new RequestBodyLimitFilter(1024).doFilter(request(MediaType.APPLICATION_JSON_VALUE), response, chain);
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        assertThat(chain.getRequest()).isNull();
    }

    @Test
    void refusesAJsonBodyWithoutLengthOnceItGrowsPastTheLimit() throws Exception {
        var request = new MockHttpServletRequest("POST", "/parcels") {

            @Override
            public long getContentLengthLong() {
                return -1;
            }
        };
        request.setContentType("application/vnd.parcel+json");
        request.setContent(LARGE);
        var chain = new MockFilterChain();
        new RequestBodyLimitFilter(1024).doFilter(request, new MockHttpServletResponse(), chain);
        assertThatThrownBy(() -> StreamUtils.copyToByteArray(chain.getRequest().getInputStream()))
                .isInstanceOf(RequestBodyTooLargeException.class);
    }

    @Test
    void letsAFormOrAnUploadPass() throws Exception {
        for (String type : new String[] {MediaType.APPLICATION_FORM_URLENCODED_VALUE,
                MediaType.MULTIPART_FORM_DATA_VALUE, MediaType.TEXT_PLAIN_VALUE}) {
            var chain = new MockFilterChain();
            var response = new MockHttpServletResponse();
            new RequestBodyLimitFilter(1024).doFilter(request(type), response, chain);
            assertThat(response.getStatus()).as(type).isEqualTo(200);
            assertThat(StreamUtils.copyToByteArray(chain.getRequest().getInputStream())).as(type).hasSize(LARGE.length);
        }
    }

    @Test
    void aLimitOfZeroLimitsNothing() throws Exception {
        var chain = new MockFilterChain();
        var response = new MockHttpServletResponse();
        new RequestBodyLimitFilter(0).doFilter(request(MediaType.APPLICATION_JSON_VALUE), response, chain);
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(StreamUtils.copyToByteArray(chain.getRequest().getInputStream())).hasSize(LARGE.length);
    }

    private static MockHttpServletRequest request(String contentType) {
        var request = new MockHttpServletRequest("POST", "/parcels");
        request.setContentType(contentType);
        request.setContent(LARGE);
        return request;
    }
}
