package dev.ficus.toolkit.cdc;

import java.sql.Connection;
import java.time.Duration;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeHandler.Failure;
import dev.ficus.toolkit.cdc.ChangeStream.State;
import dev.ficus.toolkit.cdc.ChangeStreamTestApplication.BatchRecorder;
import dev.ficus.toolkit.cdc.ChangeStreamTestApplication.Recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stream that halts on a change a subscriber refuses, and starts again, loses nothing: not in
 * its very first run on the slot it just created, and not when the refused transaction committed
 * after the position the stream saved though it wrote its rows before it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChangeStreamRestartTests {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static ConfigurableApplicationContext application;

    @BeforeAll
    static void start() {
        BatchRecorder.failingAtStart = change -> "poison".equals(change.row().get("label"));
        BatchRecorder.onFailureAtStart = Failure.HALT;
        try {
            application = new SpringApplicationBuilder(ChangeStreamTestApplication.class)
                    .web(WebApplicationType.NONE)
                    .run("--ficus.embedded-postgres.database=cdc_restart",
                            "--ficus.cdc.restart-backoff=500ms",
                            "--ficus.cdc.retry.max-attempts=1");
        }
        finally {
            BatchRecorder.failingAtStart = change -> false;
            BatchRecorder.onFailureAtStart = Failure.DEAD_LETTER;
        }
    }

    @AfterAll
    static void stop() {
        if (application != null) {
            application.close();
        }
    }

    /**
     * The first run halts on the first change it delivers, a moment after it said it streams: the
     * next run, starting from whatever the first one saved, delivers that change again.
     */
    @Test
    @Order(1)
    void whatTheFirstRunFailedOnComesAgainInTheNext() {
        ManagedChangeStream stream = application.getBean(ManagedChangeStream.class);
        BatchRecorder recorder = application.getBean(BatchRecorder.class);
        JdbcClient jdbc = application.getBean(JdbcClient.class);
        await().atMost(PATIENCE).until(() -> stream.state() == State.STREAMING);

        jdbc.sql("insert into shelf.crates (id, label) values (1, 'poison')").update();
        await().atMost(PATIENCE).until(() -> recorder.failedBatches.get() > 0);
        // The subscriber's target is back: the change comes again, from the position the first run saved.
        recorder.failing = change -> false;

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(recorder.of(1)).isNotEmpty());
    }

    /**
     * A transaction writes a row, another commits meanwhile and the stream saves its position past
     * it; then the first commits, and the subscriber halts on it. After the restart, the row written
     * before the saved position, but committed after it, comes again.
     */
    @Test
    @Order(2)
    void aTransactionCommittedAfterTheSavedPositionComesAgainWhollyAfterARestart() throws Exception {
        ManagedChangeStream stream = application.getBean(ManagedChangeStream.class);
        BatchRecorder recorder = application.getBean(BatchRecorder.class);
        Recorder items = application.getBean(Recorder.class);
        JdbcClient jdbc = application.getBean(JdbcClient.class);
        DataSource dataSource = application.getBean(DataSource.class);
        await().atMost(PATIENCE).until(() -> stream.state() == State.STREAMING);
        jdbc.sql("insert into shelf.items values (76, 'first', 1.00)").update();
        await().atMost(PATIENCE).until(() -> !items.of(76).isEmpty());
        recorder.failing = change -> "poison".equals(change.row().get("label"));

        try (Connection open = dataSource.getConnection()) {
            open.setAutoCommit(false);
            try (var insert = open.createStatement()) {
                insert.execute("insert into shelf.crates (id, label) values (2, 'poison'), (3, 'crate 3')");
            }
            String savedBefore = ChangeStreamTestApplication.savedPosition(jdbc);
            jdbc.sql("insert into shelf.items values (77, 'later', 1.00)").update();
            await().atMost(PATIENCE).until(() -> !items.of(77).isEmpty());
            // A position after the item, so after the crates' rows, is saved before the crates commit.
            await().atMost(PATIENCE).until(() -> !ChangeStreamTestApplication.savedPosition(jdbc).equals(savedBefore));
            open.commit();
        }
        int refusedBefore = recorder.failedBatches.get();
        await().atMost(PATIENCE).until(() -> recorder.failedBatches.get() > refusedBefore);
        recorder.failing = change -> false;

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(recorder.of(2)).as("crate 2").isNotEmpty();
            assertThat(recorder.of(3)).as("crate 3").isNotEmpty();
        });
    }
}
