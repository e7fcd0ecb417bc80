package dev.ficus.systemtests;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance told to stop (SIGTERM) first reports itself not ready and keeps serving for its
 * drain period, so that a load balancer's health checks take it out before its port closes; then
 * it finishes and exits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrainingTests {

    private static final Duration DRAIN = Duration.ofSeconds(4);

    private EmbeddedPostgresServer postgres;
    private JavaProcess shop;
    private Http http;

    @BeforeAll
    void start() {
        postgres = EmbeddedPostgresServer.obtain(new EmbeddedPostgresProperties(true, "", 0, "draining",
                Duration.ofSeconds(60), Map.of()));
        http = Http.to(JavaProcess.freePort());
        shop = new JavaProcess("draining-shop", JavaProcess.executableJar("app", "ficus-app"), List.of(
                "--server.port=" + http.port(),
                "--spring.datasource.url=" + postgres.jdbcUrl(),
                "--spring.datasource.username=postgres",
                "--ficus.drain.period=" + DRAIN.toSeconds() + "s",
                "--spring.security.user.name=ops", "--spring.security.user.password=secret")).start();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!shop.alive()) {
                throw new IllegalStateException("the shop exited; see system-tests/target/draining-shop.log");
            }
            return http.status("/actuator/health/readiness") == 200;
        });
    }

    @AfterAll
    void stop() throws Exception {
        shop.stop();
        postgres.close();
    }

    @Test
    void aStoppingInstanceIsNotReadyButServesForItsDrainPeriodThenExits() throws Exception {
        assertThat(http.get("/api/catalog/products?size=1").status()).isEqualTo(200);
        Instant terminated = Instant.now();
        shop.terminate();

        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> http.status("/actuator/health/readiness") == 503);
        // Not ready, and still answering throughout: the balancer's checks have time to notice.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> http.status("/api/catalog/products?size=1") == 200
                        && http.status("/actuator/health/readiness") == 503);

        shop.awaitExit(Duration.ofSeconds(30));
        assertThat(Duration.between(terminated, Instant.now())).isGreaterThanOrEqualTo(DRAIN);
    }
}
