package dev.ficus.toolkit.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Limits on a running server: reads limited per client (the forwarding proxy's client when the
 * proxy is trusted, the connection's address when not), writes limited in concurrency.
 */
class RequestLimitsTests {

    static final HttpClient http = HttpClient.newHttpClient();

    static HttpResponse<String> send(int port, String method, String path, String forwardedFor) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30));
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Nested
    @SpringBootTest(classes = LimitsTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "ficus.limits.classes.reads.methods=GET", "ficus.limits.classes.reads.paths=/api/**",
                    "ficus.limits.classes.reads.requests-per-period=3", "ficus.limits.classes.reads.period=20s",
                    "ficus.limits.classes.writes.methods=POST,PUT,DELETE", "ficus.limits.classes.writes.paths=/api/**",
                    "ficus.limits.classes.writes.max-concurrent=2", "ficus.limits.classes.writes.retry-after=2s",
                    "server.forward-headers-strategy=native" })
    class BehindATrustedProxy {

        @LocalServerPort
        int port;

        @Autowired
        MeterRegistry meters;

        @Test
        void aClientOverItsRateIsRefusedWith429AndRetryAfterWhileOthersGoOn() {
            for (int i = 0; i < 3; i++) {
                assertThat(send(port, "GET", "/api/things", "198.51.100.7").statusCode()).isEqualTo(200);
            }
            HttpResponse<String> refused = send(port, "GET", "/api/things", "198.51.100.7");

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 20L);
            assertThat(refused.body()).contains("\"status\":429", "urn:problem-type:too-many-requests",
                    "More than 3 requests in PT20S from this client for reads");
            // Another client behind the same proxy has its own allowance; paths of no class have none.
            assertThat(send(port, "GET", "/api/things", "198.51.100.8").statusCode()).isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                assertThat(send(port, "GET", "/elsewhere", "198.51.100.7").statusCode()).isEqualTo(200);
            }
            assertThat(meters.counter("ficus.limits.refusals", "class", "reads", "limit", "rate").count())
                    .isEqualTo(1.0);
        }

        @Test
        void writesBeyondTheConcurrencyLimitAreRefusedAtOnceWith503() throws Exception {
            int before = LimitsTestApplication.Things.writes.get();
            LimitsTestApplication.Things.gate = new CountDownLatch(1);
            List<CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    running.add(CompletableFuture.supplyAsync(() -> send(port, "POST", "/api/things", null)));
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> LimitsTestApplication.Things.writes.get() == before + 2);

                HttpResponse<String> refused = send(port, "POST", "/api/things", null);

                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
                assertThat(refused.body()).contains("\"status\":503", "urn:problem-type:overloaded",
                        "Too many writes requests are in progress");
                assertThat(LimitsTestApplication.Things.writes.get()).isEqualTo(before + 2);
            }
            finally {
                LimitsTestApplication.Things.gate.countDown();
            }
            for (CompletableFuture<HttpResponse<String>> write : running) {
                assertThat(write.get().statusCode()).isEqualTo(201);
            }
            // The places are free again.
            assertThat(send(port, "POST", "/api/things", null).statusCode()).isEqualTo(201);
            assertThat(meters.counter("ficus.limits.refusals", "class", "writes", "limit", "concurrency").count())
                    .isEqualTo(1.0);
        }
    }

    @Nested
    @SpringBootTest(classes = LimitsTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "ficus.limits.classes.reads.methods=GET", "ficus.limits.classes.reads.paths=/api/**",
                    "ficus.limits.classes.reads.requests-per-period=3", "ficus.limits.classes.reads.period=20s",
                    "server.forward-headers-strategy=native",
                    // Only this address may forward; the test's connections come from 127.0.0.1.
                    "server.tomcat.remoteip.internal-proxies=192\\.0\\.2\\.1" })
    class FromAnUntrustedPeer {

        @LocalServerPort
        int port;

        @Test
        void aForgedForwardedForDoesNotBuyAFreshAllowance() {
            for (int i = 0; i < 3; i++) {
                assertThat(send(port, "GET", "/api/things", "203.0.113." + i).statusCode()).isEqualTo(200);
            }
            assertThat(send(port, "GET", "/api/things", "203.0.113.99").statusCode()).isEqualTo(429);
        }
    }

    @Nested
    @SpringBootTest(classes = LimitsTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {
                    // The broad class comes first among the properties; its order puts it second.
                    "ficus.limits.classes.everything.order=2", "ficus.limits.classes.everything.paths=/**",
                    "ficus.limits.classes.everything.requests-per-period=1000",
                    "ficus.limits.classes.things.order=1", "ficus.limits.classes.things.paths=/api/things",
                    "ficus.limits.classes.things.requests-per-period=1", "ficus.limits.classes.things.period=20s" })
    class InTheirOrder {

        @LocalServerPort
        int port;

        @Test
        void theClassWithTheLowerOrderIsMatchedFirstWhereverItsPropertiesComeFrom() {
            assertThat(send(port, "GET", "/api/things", null).statusCode()).isEqualTo(200);
            assertThat(send(port, "GET", "/api/things", null).statusCode()).isEqualTo(429);
            assertThat(send(port, "GET", "/elsewhere", null).statusCode()).isEqualTo(200);
        }
    }

    @Nested
    @SpringBootTest(classes = LimitsTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "ficus.limits.enabled=false", "ficus.limits.classes.reads.requests-per-period=1" })
    class TurnedOff {

        @LocalServerPort
        int port;

        @Test
        void nothingIsLimited() {
            for (int i = 0; i < 5; i++) {
                assertThat(send(port, "GET", "/api/things", null).statusCode()).isEqualTo(200);
            }
        }
    }
}
