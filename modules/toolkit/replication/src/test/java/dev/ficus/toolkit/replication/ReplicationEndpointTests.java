package dev.ficus.toolkit.replication;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.replication.Replicas.Databases;

import static dev.ficus.toolkit.replication.Replicas.PATIENCE;
import static dev.ficus.toolkit.replication.Replicas.awaitConsistent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code replication} actuator endpoint over HTTP, on a replica of {@code shop.items}: every
 * operation, and every refusal as a problem detail with its status.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationEndpointTests {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Databases databases;
    private static JdbcClient shop;
    private static JdbcClient copy;
    private static ConfigurableApplicationContext replica;
    private static String base;

    @BeforeAll
    static void start() {
        databases = Databases.create("endpoint");
        shop = databases.shop();
        copy = databases.copy();
        shop.sql(Replicas.SHOP_ITEMS).update();
        shop.sql("insert into shop.items select g, 'item ' || g, g, now(), 1, null from generate_series(1, 20) g")
                .update();
        replica = databases.replicate("endpoint", Replicas.items(0,
                "spring.main.web-application-type=servlet",
                "server.port=0",
                "management.endpoints.web.exposure.include=health,replication"));
        awaitConsistent(replica);
        base = "http://127.0.0.1:" + replica.getEnvironment().getProperty("local.server.port")
                + "/actuator/replication";
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        databases.close();
    }

    @Test
    @Order(1)
    void readsTheStatusThePhaseTheDeadLettersAndTheConflicts() {
        Answer status = get("");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().get("name").asString()).isEqualTo("endpoint");
        assertThat(status.json().get("state").asString()).isEqualTo("STREAMING");
        assertThat(status.json().get("phase").asString()).isEqualTo("READ_COPY");

        assertThat(get("/phase").json().get("phase").asString()).isEqualTo("READ_COPY");
        Answer deadLetters = get("/dead-letters");
        assertThat(deadLetters.json().get("pending").asLong()).isZero();
        assertThat(deadLetters.json().get("shown").isEmpty()).isTrue();
        Answer conflicts = get("/conflicts");
        assertThat(conflicts.status()).isEqualTo(200);
        assertThat(conflicts.json().isArray()).isTrue();

        assertProblem(get("/nothing"), 404, "no-such-resource");
    }

    @Test
    @Order(2)
    void reconcilesAndRepairsAllRowsOrOne() {
        copy.sql("update copy.items set title = 'corrupted' where id = 7").update();

        JsonNode found = post("/reconciliations", null).json().get("tables").get(0);
        assertThat(found.get("different").asLong()).isEqualTo(1);
        assertThat(found.get("mismatchedKeys").get(0).get("id").asString()).isEqualTo("7");
        JsonNode repaired = post("/reconciliations?repair=true", null).json().get("tables").get(0);
        assertThat(repaired.get("repaired").asLong()).isEqualTo(1);
        assertThat(post("/reconciliations", "{\"repair\": true}").json().get("tables").get(0).get("different")
                .asLong()).isZero();

        copy.sql("update copy.items set title = 'corrupted' where id = 8").update();
        Answer one = post("/repairs", "{\"table\": \"copy.items\", \"key\": \"id=8\"}");
        assertThat(one.status()).as(one.body()).isEqualTo(200);
        assertThat(one.json().get("result").asString()).isEqualTo("COPIED");
        assertThat(one.json().get("key").get("id").asString()).isEqualTo("8");
        assertThat(copy.sql("select title from copy.items where id = 8").query(String.class).single())
                .isEqualTo("item 8");
        // As the reconcile command prints a key.
        assertThat(post("/repairs", "{\"table\": \"copy.items\", \"key\": \"{id=8}\"}").json().get("result")
                .asString()).isEqualTo("UNCHANGED");
    }

    @Test
    @Order(3)
    void refusesWhatItCannotDoWithProblemDetails() {
        assertProblem(post("/repairs", "{\"table\": \"copy.items\", \"key\": \"id=999999\"}"), 404, "row-not-found");
        assertProblem(post("/repairs", "{\"table\": \"copy.items\", \"key\": \"id=not-a-number\"}"), 400,
                "invalid-key");
        assertProblem(post("/repairs", "{\"table\": \"copy.items\", \"key\": \"title=item 3\"}"), 400, "invalid-key");
        assertProblem(post("/repairs", "{\"table\": \"copy.items\", \"key\": \"3\"}"), 400, "invalid-key");
        assertProblem(post("/repairs", "{\"table\": \"copy.nothing\", \"key\": \"id=1\"}"), 400,
                "unknown-replicated-table");
        Answer noKey = post("/repairs", "{\"table\": \"copy.items\"}");
        assertProblem(noKey, 400, "invalid-input");
        assertThat(noKey.json().get("errors").get(0).get("field").asString()).isEqualTo("key");
        assertThat(post("/repairs", "{not json").status()).isEqualTo(400);
        assertProblem(post("/reconciliations?repair=maybe", null), 400, "invalid-input");
        assertProblem(post("/phase", "{\"phase\": \"HALFWAY\"}"), 400, "invalid-input");
        assertProblem(post("/phase", null), 400, "invalid-input");
        assertProblem(post("/dead-letters/12345", null), 404, "no-such-dead-letter");
        assertProblem(postWithoutContentType("/dead-letters/12345"), 404, "no-such-dead-letter");
        assertThat(postWithoutContentType("/reconciliations").status()).isEqualTo(415);
        assertProblem(post("/dead-letters/twelve", null), 404, "no-such-dead-letter");
        assertProblem(post("/conflicts", null), 404, "no-such-resource");
        assertProblem(post("/conflicts/1", null), 404, "no-such-resource");
        assertThat(get("/phase").json().get("phase").asString()).isEqualTo("READ_COPY");
    }

    @Test
    @Order(4)
    void showsDeadLettersAndReplaysThemOnceTheOperatorFixedTheCause() {
        copy.sql("insert into copy.items values (9001, 'POISON-1', 1, now(), 1)").update();
        shop.sql("insert into shop.items values (501, 'POISON-1', 5.00, now(), 1, null)").update();
        await().atMost(PATIENCE).until(() -> get("/dead-letters").json().get("pending").asLong() == 1);
        shop.sql("update shop.items set price_amount = 6.00, version = 2 where id = 501").update();
        await().atMost(PATIENCE).until(() -> get("/dead-letters").json().get("pending").asLong() == 2);

        JsonNode shown = get("/dead-letters").json().get("shown");
        assertThat(shown.get(0).get("error").asString()).contains("duplicate key").contains("items_title");
        long first = shown.get(0).get("id").asLong();
        long behind = shown.get(1).get("id").asLong();
        assertProblem(post("/dead-letters/" + behind, null), 409, "dead-letter-waits-behind");
        assertProblem(post("/phase", "{\"phase\": \"WRITES_MOVED\"}"), 409, "phase-switch-refused");
        assertProblem(post("/repairs", "{\"table\": \"copy.items\", \"key\": \"id=501\"}"), 409,
                "phase-switch-refused");

        copy.sql("delete from copy.items where id = 9001").update();
        Answer replay = post("/dead-letters", null);
        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        assertThat(replay.json().get("replayed").asInt()).isEqualTo(2);
        assertThat(replay.json().get("pending").asLong()).isZero();
        assertThat(copy.sql("select price from copy.items where id = 501").query(BigDecimal.class).single())
                .isEqualByComparingTo("6.00");
        assertProblem(post("/dead-letters/" + first, null), 404, "no-such-dead-letter");
        awaitConsistent(replica);
    }

    @Test
    @Order(5)
    void switchesThePhase() {
        Answer same = post("/phase", "{\"phase\": \"READ_COPY\"}");
        assertThat(same.status()).as(same.body()).isEqualTo(200);
        assertThat(same.json().get("phase").asString()).isEqualTo("READ_COPY");

        Answer moved = post("/phase", "{\"phase\": \"WRITES_MOVED\"}");
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(moved.json().get("phase").asString()).isEqualTo("WRITES_MOVED");
        assertThat(get("/phase").json().get("phase").asString()).isEqualTo("WRITES_MOVED");
        assertProblem(post("/repairs", "{\"table\": \"copy.items\", \"key\": \"id=1\"}"), 409,
                "phase-switch-refused");
        // Nothing reads this database back: writes made here would never reach the shop.
        assertProblem(post("/phase", "{\"phase\": \"READ_COPY\"}"), 409, "phase-switch-refused");
    }

    private static void assertProblem(Answer answer, int status, String kind) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.json().get("type").asString()).isEqualTo("urn:problem-type:" + kind);
        assertThat(answer.json().get("status").asInt()).isEqualTo(status);
        assertThat(answer.json().get("detail").asString()).isNotBlank();
    }

    private static Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** A JSON POST, as every write operation but a single dead letter's replay needs; without a body if null. */
    private static Answer post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    private static Answer postWithoutContentType(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private record Answer(int status, String contentType, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }
    }
}
