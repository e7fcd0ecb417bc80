package dev.ficus.toolkit.cdc;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeHandler.Failure;
import dev.ficus.toolkit.cdc.ChangeStream.State;
import dev.ficus.toolkit.cdc.ChangeStreamTestApplication.BatchRecorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The very first run of a stream, on the slot it just created, halts on the first change it
 * delivers, a moment after it said it streams: the next run, starting from whatever the first one
 * saved, delivers that change again. A change committed as a new stream starts is not lost.
 */
class ChangeStreamFirstRunTests {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static ConfigurableApplicationContext application;

    @BeforeAll
    static void start() {
        BatchRecorder.failingAtStart = change -> "poison".equals(change.row().get("label"));
        BatchRecorder.onFailureAtStart = Failure.HALT;
        try {
            application = new SpringApplicationBuilder(ChangeStreamTestApplication.class)
                    .web(WebApplicationType.NONE)
                    .run("--ficus.embedded-postgres.database=cdc_first_run",
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

    @Test
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
}
