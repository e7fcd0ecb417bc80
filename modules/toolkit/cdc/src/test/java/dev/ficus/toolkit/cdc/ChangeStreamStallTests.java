package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeHandler.Failure;
import dev.ficus.toolkit.cdc.ChangeStream.State;
import dev.ficus.toolkit.cdc.ChangeStreamTestApplication.BatchRecorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stream that cannot go on, against a server that keeps at most 64 MB of WAL for a slot: a
 * transaction too large to keep in memory is read again to find its poison change; a halted
 * stream's slot is reported once it holds back more WAL than the threshold; and once PostgreSQL
 * gives up on the slot, the stream says so and what to do, instead of retrying in silence.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChangeStreamStallTests {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private static ConfigurableApplicationContext application;
    private static JdbcClient jdbc;
    private static ManagedChangeStream stream;
    private static BatchRecorder recorder;

    @BeforeAll
    static void start() {
        application = new SpringApplicationBuilder(ChangeStreamTestApplication.class)
                .web(WebApplicationType.NONE)
                .run("--ficus.embedded-postgres.database=cdc_stall",
                        "--ficus.embedded-postgres.server-settings.max_slot_wal_keep_size=64MB",
                        "--ficus.cdc.retained-wal-threshold=16MB",
                        "--ficus.cdc.isolation-limit=50",
                        "--ficus.cdc.restart-backoff=500ms",
                        "--ficus.cdc.retry.max-attempts=2",
                        // A slot lost while the connector starts keeps Debezium's task waiting until this
                        // times out (40 s by default, twice: to start and to stop): shorter here.
                        "--ficus.cdc.debezium[internal.task.management.timeout.ms]=10000");
        jdbc = application.getBean(JdbcClient.class);
        stream = application.getBean(ManagedChangeStream.class);
        recorder = application.getBean(BatchRecorder.class);
    }

    @AfterAll
    static void stop() {
        if (application != null) {
            application.close();
        }
    }

    @BeforeEach
    void streaming() {
        await().atMost(PATIENCE).until(() -> stream.state() == State.STREAMING);
    }

    @Test
    @Order(1)
    void aTransactionTooLargeToKeepIsReadAgainChangeByChangeToFindItsPoison() {
        recorder.failing = change -> "poison".equals(change.row().get("label"));
        jdbc.sql("""
                insert into shelf.crates (id, label)
                select g, case when g = 1150 then 'poison' else 'crate ' || g end from generate_series(1001, 1300) g""")
                .update();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(stream.deadLetters().pendingCount())
                .as(ChangeStreamStallTests::whereTheStreamIs).isEqualTo(1));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(recorder.of(1300))
                .as(ChangeStreamStallTests::whereTheStreamIs).isNotEmpty());
        // At least once: a crate may come twice after a restart, but none is missing, and the poison never passes.
        for (long id = 1001; id <= 1300; id++) {
            if (id == 1150) {
                assertThat(recorder.of(id)).as("crate %d", id).isEmpty();
            }
            else {
                assertThat(recorder.of(id)).as("crate %d", id).isNotEmpty();
            }
        }
        assertThat(stream.deadLetters().pending(10)).singleElement()
                .satisfies(letter -> assertThat(letter.change().row()).containsEntry("id", 1150L));
        recorder.failing = change -> false;
    }

    /** For a failure's message: the position the stream saved, the slot's, and what the recorder got. */
    private static String whereTheStreamIs() {
        String saved = ChangeStreamTestApplication.savedPosition(jdbc);
        String slot = jdbc.sql("select 'confirmed ' || confirmed_flush_lsn || ', restart ' || restart_lsn "
                + "from pg_replication_slots where slot_name = 'ficus'").query(String.class).optional().orElse(null);
        return "saved position %s; slot %s; %d batches recorded, %d refused".formatted(saved, slot,
                recorder.batches.size(), recorder.failedBatches.get());
    }

    @Test
    @Order(2)
    void aHaltedStreamIsReportedOnceItsSlotHoldsBackMoreWalThanTheThreshold() {
        recorder.failing = change -> "stall".equals(change.row().get("label"));
        recorder.onFailure = Failure.HALT;
        jdbc.sql("insert into shelf.crates (id, label) values (2001, 'stall')").update();
        await().atMost(PATIENCE).until(() -> stream.lastError().isPresent());

        writeWal(24);

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(stream.slot()).hasValueSatisfying(slot ->
                    assertThat(slot.retainedWalBytes()).isGreaterThan(16L * 1024 * 1024));
            Health health = application.getBean(ChangeStreamHealthIndicator.class).health();
            assertThat(health.getDetails()).containsKey("slot").containsKey("lastError");
            assertThat(health.getStatus()).isIn(Status.DOWN, ChangeStreamHealthIndicator.DEGRADED);
        });
        assertThat(recorder.of(2001)).isEmpty();
    }

    @Test
    @Order(3)
    void aSlotThatPostgresqlGaveUpOnIsReportedWithTheWayOutAndNotRetriedInSilence() {
        writeWal(96);
        jdbc.sql("checkpoint").update();
        jdbc.sql("checkpoint").update();

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(stream.slot()).hasValueSatisfying(slot -> assertThat(slot.lost()).isTrue());
            assertThat(stream.state()).isEqualTo(State.FAILED);
            assertThat(stream.lastError()).hasValueSatisfying(error -> assertThat(error)
                    .contains("invalidated").contains("pg_drop_replication_slot('ficus')")
                    .contains("delete from cdc.offsets where stream = 'ficus'"));
            Health health = application.getBean(ChangeStreamHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(((Map<?, ?>) health.getDetails().get("slot")).get("walStatus")).isEqualTo("lost");
        });

        // The way out it names: a new slot and position; the stream then runs again.
        recorder.failing = change -> false;
        jdbc.sql("select pg_drop_replication_slot('ficus')").query().singleRow();
        jdbc.sql("delete from cdc.offsets where stream = 'ficus'").update();
        await().atMost(PATIENCE).until(() -> stream.state() == State.STREAMING && stream.lastError().isEmpty());
        jdbc.sql("insert into shelf.crates (id, label) values (3001, 'after the new snapshot')").update();
        await().atMost(PATIENCE).until(() -> recorder.of(3001).size() == 1);
    }

    /** Writes about this many megabytes of WAL to a table the stream does not capture. */
    private static void writeWal(int megabytes) {
        for (int i = 0; i < megabytes; i++) {
            jdbc.sql("insert into shelf.noise (payload) select repeat(md5(random()::text), 32) "
                    + "from generate_series(1, 1000)").update();
        }
    }
}
