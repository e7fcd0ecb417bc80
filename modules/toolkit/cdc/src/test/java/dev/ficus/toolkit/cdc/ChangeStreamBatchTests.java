package dev.ficus.toolkit.cdc;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.ficus.toolkit.cdc.ChangeEvent.Operation;
import dev.ficus.toolkit.cdc.ChangeHandler.Failure;
import dev.ficus.toolkit.cdc.ChangeStream.State;
import dev.ficus.toolkit.cdc.ChangeStreamTestApplication.BatchRecorder;
import dev.ficus.toolkit.cdc.DeadLetters.DeadLetter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A subscriber that buffers changes and writes them at the end of each batch (as replication
 * does): batches never split a transaction, a batch it cannot finish is searched change by change
 * for the one it cannot take, later changes of that row wait behind it, and a replay goes through
 * {@code handle} and {@code endOfBatch} on the stream's own thread.
 */
@SpringBootTest(classes = ChangeStreamTestApplication.class, properties = "ficus.embedded-postgres.database=cdc")
class ChangeStreamBatchTests {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final AtomicLong IDS = new AtomicLong(100_000);

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    ManagedChangeStream stream;

    @Autowired
    BatchRecorder recorder;

    @Autowired
    DeadLetters deadLetters;

    @BeforeEach
    void streaming() {
        recorder.failing = change -> false;
        recorder.onFailure = Failure.DEAD_LETTER;
        await().atMost(PATIENCE).until(() -> stream.state() == State.STREAMING);
    }

    @Test
    void aTransactionReachesTheSubscriberAsOneBatchHoweverManyRowsItHas() {
        long first = IDS.get() + 1;
        int rows = 5_000;
        IDS.addAndGet(rows);
        jdbc.sql("insert into shelf.crates (id, label) select g, 'bulk ' || g from generate_series(?, ?) g")
                .params(first, first + rows - 1).update();
        long after = IDS.incrementAndGet();
        jdbc.sql("insert into shelf.crates (id, label) values (?, 'after the bulk')").param(after).update();

        await().atMost(PATIENCE).until(() -> recorder.of(after).size() == 1);
        List<List<ChangeEvent>> batches = recorder.batchesWith(first);
        assertThat(batches).as("the transaction was not split").singleElement()
                .satisfies(batch -> assertThat(batch.stream().filter(change -> change.transaction()
                        == batch.getFirst().transaction())).hasSize(rows));
        assertThat(recorder.batchesWith(first + rows - 1)).isEqualTo(batches);
        assertThat(recorder.overlaps).hasValue(0);
    }

    @Test
    void aBatchThatCannotBeFinishedIsSearchedChangeByChangeAndOnlyThePoisonWaits() {
        long fine = IDS.incrementAndGet();
        long poison = IDS.incrementAndGet();
        long alsoFine = IDS.incrementAndGet();
        recorder.failing = change -> "poison".equals(change.row().get("label"));
        int failedBefore = recorder.failedBatches.get();

        transaction.executeWithoutResult(status -> {
            jdbc.sql("insert into shelf.crates (id, label) values (?, 'fine')").param(fine).update();
            jdbc.sql("insert into shelf.crates (id, label) values (?, 'poison')").param(poison).update();
            jdbc.sql("insert into shelf.crates (id, label) values (?, 'also fine')").param(alsoFine).update();
        });
        // Later: the poison row changes (it must wait behind its dead letter), and so does another row.
        jdbc.sql("update shelf.crates set label = 'poison', weight = 2 where id = ?").param(poison).update();
        jdbc.sql("update shelf.crates set label = 'fine again' where id = ?").param(fine).update();

        await().atMost(PATIENCE).until(() -> recorder.of(fine).size() == 2);
        assertThat(recorder.of(alsoFine)).hasSize(1);
        assertThat(recorder.of(poison)).isEmpty();
        assertThat(recorder.failedBatches.get() - failedBefore).as("the batch, then the poison alone")
                .isGreaterThanOrEqualTo(2);

        List<DeadLetter> letters = lettersOf(poison);
        assertThat(letters).hasSize(2);
        DeadLetter failed = letters.get(0);
        DeadLetter waiting = letters.get(1);
        assertThat(failed.error()).contains("refusing a batch of 1");
        assertThat(failed.waitsBehind()).isNull();
        assertThat(failed.change().operation()).isEqualTo(Operation.INSERT);
        assertThat(waiting.waitsBehind()).isEqualTo(failed.id());
        assertThat(waiting.attempts()).as("never tried").isZero();
        assertThat(waiting.change().operation()).isEqualTo(Operation.UPDATE);
        assertThat(stream.state()).isEqualTo(State.STREAMING);

        assertThatThrownBy(() -> deadLetters.replay(waiting.id()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("waits behind");

        recorder.failing = change -> false;
        DeadLetters.Replay replay = deadLetters.replay(failed.id());

        assertThat(replay.replayed()).isEqualTo(2);
        assertThat(replay.failed()).isEmpty();
        assertThat(replay.queued()).isFalse();
        assertThat(recorder.of(poison)).extracting(ChangeEvent::operation)
                .containsExactly(Operation.INSERT, Operation.UPDATE);
        assertThat(lettersOf(poison)).isEmpty();
        assertThat(recorder.overlaps).as("never called by two threads at once").hasValue(0);

        // Released: the row's next change goes straight through.
        jdbc.sql("update shelf.crates set label = 'healed' where id = ?").param(poison).update();
        await().atMost(PATIENCE).until(() -> recorder.of(poison).size() == 3);
    }

    @Test
    void valuesKeepTheirTypesThroughADeadLetterAndItsReplay() {
        long id = IDS.incrementAndGet();
        recorder.failing = change -> "typed".equals(change.row().get("label"));
        jdbc.sql("""
                insert into shelf.crates (id, label, contents, packed_at, packed_on, weight, tags)
                values (?, 'typed', '\\x00ff10', '2024-02-29 23:59:58.123456', '2024-02-29',
                        123456789.000000000001, '{"a b", "é😀", NULL}')""").param(id).update();

        DeadLetter letter = await().atMost(PATIENCE).until(() -> lettersOf(id), found -> found.size() == 1).getFirst();
        Map<String, Object> row = letter.change().after();
        assertThat(row.get("id")).isEqualTo(id);
        assertThat(row.get("contents")).isEqualTo(new byte[] {0, (byte) 0xff, 0x10});
        assertThat(row.get("packed_at")).isEqualTo(LocalDateTime.parse("2024-02-29T23:59:58.123456"));
        assertThat(row.get("packed_on")).isEqualTo(LocalDate.parse("2024-02-29"));
        assertThat(row.get("weight")).isEqualTo(new BigDecimal("123456789.000000000001"));
        assertThat(row.get("tags")).isEqualTo(java.util.Arrays.asList("a b", "é😀", null));
        assertThat(letter.change().key()).containsEntry("id", id);

        recorder.failing = change -> false;
        assertThat(deadLetters.replay(letter.id()).replayed()).isEqualTo(1);
        assertThat(recorder.of(id)).singleElement().satisfies(change -> {
            assertThat(change.after()).usingRecursiveComparison().isEqualTo(row);
            assertThat(change.after().get("contents")).isInstanceOf(byte[].class);
            assertThat(change.after().get("id")).isInstanceOf(Long.class);
        });
    }

    @Test
    void aSubscriberThatHaltsStopsTheStreamAtTheChangeUntilItCanTakeIt() {
        long stuck = IDS.incrementAndGet();
        long behind = IDS.incrementAndGet();
        recorder.failing = change -> "stuck".equals(change.row().get("label"));
        recorder.onFailure = Failure.HALT;
        long lettersBefore = deadLetters.pendingCount();

        jdbc.sql("insert into shelf.crates (id, label) values (?, 'stuck')").param(stuck).update();
        jdbc.sql("insert into shelf.crates (id, label) values (?, 'behind it')").param(behind).update();

        await().atMost(PATIENCE).until(() -> stream.lastError().filter(error -> error.contains("stops here")).isPresent());
        assertThat(recorder.of(behind)).as("nothing passes a halted change").isEmpty();
        assertThat(deadLetters.pendingCount()).isEqualTo(lettersBefore);

        recorder.failing = change -> false;
        await().atMost(PATIENCE).until(() -> recorder.of(behind).size() == 1);
        assertThat(recorder.of(stuck)).hasSize(1);
        await().atMost(PATIENCE).until(() -> stream.lastError().isEmpty() && stream.state() == State.STREAMING);
        assertThat(deadLetters.pendingCount()).isEqualTo(lettersBefore);
    }

    @Test
    void howCurrentTheStreamIsMovesOnWithHeartbeatsWhileNothingIsWritten() {
        var before = await().atMost(PATIENCE).until(stream::currentAsOf, asOf -> asOf.isPresent()).orElseThrow();
        await().atMost(PATIENCE).until(() -> stream.currentAsOf().orElseThrow().isAfter(before.plusMillis(1500)));
    }

    private List<DeadLetter> lettersOf(long id) {
        return deadLetters.pending(1000).stream()
                .filter(letter -> letter.change().table().equals("shelf.crates"))
                .filter(letter -> Long.valueOf(id).equals(letter.change().row().get("id")))
                .toList();
    }
}
