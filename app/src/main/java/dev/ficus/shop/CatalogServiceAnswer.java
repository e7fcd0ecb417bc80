package dev.ficus.shop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.HttpClientErrorException;

/**
 * A refusal from catalog-service (4xx) with its problem type, for {@link CatalogServiceClient} to
 * turn into the catalog's own exception. A refusal the client does not know stays an
 * {@link HttpClientErrorException}: the service and the shop disagree, which counts as a failure.
 */
final class CatalogServiceAnswer extends RuntimeException {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String type;
    private final HttpClientErrorException response;

    private CatalogServiceAnswer(String type, String detail, HttpClientErrorException response) {
        super(detail, null, false, false);
        this.type = type;
        this.response = response;
    }

    static void refuse(HttpRequest request, ClientHttpResponse response) throws IOException {
        byte[] body = response.getBody().readAllBytes();
        HttpClientErrorException error = HttpClientErrorException.create(response.getStatusCode(),
                response.getStatusText(), response.getHeaders(), body, StandardCharsets.UTF_8);
        JsonNode problem;
        try {
            problem = JSON.readTree(body);
        }
        catch (RuntimeException notJson) {
            throw error;
        }
        String type = problem.path("type").asString("").replaceFirst("^urn:problem-type:", "");
        throw new CatalogServiceAnswer(type, problem.path("detail").asString(""), error);
    }

    boolean is(String problemType) {
        return type.equals(problemType);
    }

    HttpClientErrorException unexpected() {
        return response;
    }
}
