package dev.ficus.toolkit.cdc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * An initial snapshot whose table is held: every snapshot row shares one position in the log, and
 * none of those after the failing one may be skipped for it; each waits, and a replay brings all.
 */
class ChangeStreamSnapshotTests {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path data;

    @Test
    void theRowsOfASnapshotThatWaitBehindAHeldTableAreAllKeptAndAllReplayed() {
        // A first start creates the tables; the rows are written while no stream runs.
        try (ConfigurableApplicationContext first = start("no_data")) {
            JdbcClient jdbc = first.getBean(JdbcClient.class);
            jdbc.sql("insert into shelf.crates (id, label) select g, 'crate ' || g from generate_series(1, 40) g")
                    .update();
        }
        BatchRecorder.failingAtStart = change -> Long.valueOf(10).equals(change.row().get("id"));
        BatchRecorder.onFailureAtStart = Failure.DEAD_LETTER_TABLE;
        try (ConfigurableApplicationContext second = start("initial")) {
            ManagedChangeStream stream = second.getBean(ManagedChangeStream.class);
            BatchRecorder recorder = second.getBean(BatchRecorder.class);
            DeadLetters deadLetters = stream.deadLetters();

            await().atMost(PATIENCE).until(() -> stream.state() == State.STREAMING
                    && deadLetters.pendingCount() == 31);
            List<DeadLetters.DeadLetter> waiting = deadLetters.pending(100);
            assertThat(waiting.getFirst().change().row()).containsEntry("id", 10L);
            assertThat(waiting.subList(1, waiting.size())).allSatisfy(letter -> {
                assertThat(letter.waitsBehind()).isEqualTo(waiting.getFirst().id());
                assertThat(letter.change().position()).isEqualTo(waiting.getFirst().change().position());
            });
            assertThat(delivered(recorder)).isEqualTo(ids(1, 9));

            recorder.failing = change -> false;
            DeadLetters.Replay replay = deadLetters.replay(waiting.getFirst().id());

            assertThat(replay.replayed()).isEqualTo(31);
            assertThat(deadLetters.pendingCount()).isZero();
            assertThat(delivered(recorder)).isEqualTo(ids(1, 40));
        }
        finally {
            BatchRecorder.failingAtStart = change -> false;
            BatchRecorder.onFailureAtStart = Failure.DEAD_LETTER;
        }
    }

    /** Both starts on one database, kept in between. */
    private ConfigurableApplicationContext start(String snapshotMode) {
        return new SpringApplicationBuilder(ChangeStreamTestApplication.class)
                .web(WebApplicationType.NONE)
                .run("--ficus.embedded-postgres.database=cdc_snapshot", "--ficus.embedded-postgres.data-directory=" + data,
                        "--ficus.cdc.name=snapshot_" + snapshotMode,
                        "--ficus.cdc.snapshot-mode=" + snapshotMode, "--ficus.cdc.retry.max-attempts=2");
    }

    private static Set<Long> delivered(BatchRecorder recorder) {
        Set<Long> ids = new TreeSet<>();
        recorder.batches.forEach(batch -> batch.forEach(change -> ids.add(((Number) change.row().get("id")).longValue())));
        return ids;
    }

    private static Set<Long> ids(long from, long to) {
        Set<Long> ids = new TreeSet<>();
        for (long id = from; id <= to; id++) {
            ids.add(id);
        }
        return ids;
    }
}
