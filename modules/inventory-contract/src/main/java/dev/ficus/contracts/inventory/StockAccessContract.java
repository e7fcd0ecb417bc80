package dev.ficus.contracts.inventory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.ficus.contracts.identity.AccessMatrix;
import dev.ficus.contracts.identity.TestIssuer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may use the stock API, as an executable contract for the shop's inventory module and
 * inventory-service alike: anyone reads a stock level; restocking needs {@code catalog-admin}; a
 * token that is not good is refused everywhere. A test class extends it and says where the
 * implementation listens and which issuer it trusts.
 */
public abstract class StockAccessContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** Where the implementation under test listens, such as {@code http://127.0.0.1:8084}. */
    protected abstract URI baseUrl();

    /** Signs tokens the implementation under test accepts. */
    protected abstract TestIssuer issuer();

    @Test
    public void theAuthorizationMatrixHoldsForEveryEndpointAndEveryCaller() {
        String sku = "AC-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
        List<AccessMatrix.Caller> callers = AccessMatrix.callers(issuer());

        List<String> differences = AccessMatrix.differences(callers, caller -> List.of(
                new AccessMatrix.Endpoint("read stock", "GET", "/api/inventory/stock/" + sku, null, null, 200),
                new AccessMatrix.Endpoint("restock", "POST", "/api/inventory/stock/" + sku + "/restock",
                        "{\"quantity\": 1}", "catalog-admin", 200)), this::send);

        assertThat(differences).as("cells of the authorization matrix that differ from the rules").isEmpty();
        // Only the catalog-admin's restock was done.
        AccessMatrix.Answer stock = send("GET", "/api/inventory/stock/" + sku, null, Map.of());
        assertThat(JSON.readTree(stock.body()).path("onHand").intValue()).as(stock.body()).isEqualTo(1);
    }

    private AccessMatrix.Answer send(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl().resolve(path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new AccessMatrix.Answer(response.statusCode(),
                    response.headers().firstValue("Content-Type").map(type -> type.split(";")[0].strip()).orElse(""),
                    response.body(), response.headers().firstValue("WWW-Authenticate").isPresent());
        }
        catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " was interrupted", e);
        }
    }
}
