package com.example.clinic;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.ficus.toolkit.cdc.ChangeStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The clinic on PostgreSQL: the owner page is served from the cache, and a change made in SQL
 * beside the application (as with psql) shows on the next read, whether it changes the owner's
 * own row or adds a visit, a row two steps below the owner.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("postgres")
class PostgresModeTests {

    private static final EmbeddedPostgres POSTGRES = start();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> POSTGRES.getJdbcUrl("postgres", "postgres"));
        registry.add("spring.datasource.username", () -> "postgres");
    }

    /** The server stops with the application, after its change stream. */
    @TestConfiguration
    static class Database {

        @Bean(destroyMethod = "close")
        EmbeddedPostgres clinicDatabase() {
            return POSTGRES;
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    ChangeStream stream;

    @Autowired
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void streaming() {
        await().atMost(Duration.ofSeconds(60)).until(() -> stream.state() == ChangeStream.State.STREAMING);
    }

    @Test
    void anUpdateOfTheOwnerAndAVisitOfItsPetAreSeenOnTheNextRead() throws Exception {
        assertThat(owner(1)).contains("\"city\":\"Madison\"", "\"name\":\"Leo\",\"visits\":1");
        double hits = hits();
        // Once the cache is shown current (the stream has said how far it got), reads come from it.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> owner(1).contains("\"city\":\"Madison\"") && hits() > hits);

        sql("update owners set city = 'Monona' where id = 1");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> owner(1).contains("\"city\":\"Monona\""));

        sql("insert into visits (id, pet_id, visit_date, description) values (100, 1, date '2026-11-27', 'check-up')");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> owner(1).contains("\"name\":\"Leo\",\"visits\":2"));

        HttpResponse<String> page = get("/owners/1", "text/html");
        assertThat(page.body()).contains("Monona");
        // Evicted key by key by the change stream, not by expiry and not by emptying the cache.
        assertThat(meters.get("ficus.cache.invalidations").tag("cache", "owner-details")
                .tag("source", "change-data-capture").counter().count()).isGreaterThanOrEqualTo(2);
        assertThat(meters.find("ficus.cache.key-query.failures").counters()).allSatisfy(failures ->
                assertThat(failures.count()).isZero());
    }

    private String owner(long id) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/owners/" + id, "application/json");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private double hits() {
        return meters.get("cache.gets").tag("cache", "owner-details").tag("result", "hit").functionCounter().count();
    }

    /** A statement on a connection of its own, beside the application, as psql would run it. */
    private static void sql(String statement) throws SQLException {
        try (Connection connection = DriverManager.getConnection(POSTGRES.getJdbcUrl("postgres", "postgres"))) {
            connection.createStatement().execute(statement);
        }
    }

    private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "4")
                    .setServerConfig("max_wal_senders", "4")
                    .start();
        }
        catch (IOException e) {
            throw new IllegalStateException("Could not start PostgreSQL for the tests", e);
        }
    }
}
