package dev.ficus.shop;

import java.net.http.HttpClient;
import java.time.Duration;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import dev.ficus.toolkit.identity.TokenRelay;

/** The HTTP clients of the extracted services: their base URL and timeouts. */
final class ServiceClients {

    private ServiceClients() {
    }

    /**
     * A client built from Spring Boot's builder, so that each request carries the caller's trace
     * context, and the caller's identity (their token, relayed), with the given base URL and timeouts.
     */
    static RestClient.Builder to(RestClient.Builder builder, TokenRelay identity, String url, Duration connectTimeout,
            Duration readTimeout) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .build());
        requests.setReadTimeout(readTimeout);
        return builder.clone().baseUrl(url).requestFactory(requests).requestInterceptor(identity);
    }
}
