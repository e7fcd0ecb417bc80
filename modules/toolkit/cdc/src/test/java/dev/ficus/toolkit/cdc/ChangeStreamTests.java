package dev.ficus.toolkit.cdc;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeEvent.Operation;
import dev.ficus.toolkit.cdc.ChangeStream.State;
import dev.ficus.toolkit.cdc.ChangeStreamTestApplication.Recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(classes = ChangeStreamTestApplication.class, properties = "ficus.embedded-postgres.database=cdc")
class ChangeStreamTests {

    private static final AtomicLong IDS = new AtomicLong();

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ChangeStream stream;

    @Autowired
    ManagedChangeStream lifecycle;

    @Autowired
    Recorder recorder;

    @Autowired
    DeadLetters deadLetters;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ChangeStreamHealthIndicator healthIndicator;

    @BeforeEach
    void streaming() {
        recorder.failing = change -> false;
        await().atMost(Duration.ofSeconds(60)).until(() -> stream.state() == State.STREAMING);
        // Debezium sets REPLICA IDENTITY FULL as its task starts, which may be a moment after the
        // stream reports STREAMING: a change made before that has no before image.
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
                "select relreplident from pg_class where oid = 'shelf.items'::regclass").query(String.class).single()
                .equals("f"));
    }

    @Test
    void changesMadeInSqlArriveTypedAndInCommitOrder() {
        long id = IDS.incrementAndGet();
        jdbc.sql("insert into shelf.items values (?, 'lamp', 10.50)").param(id).update();
        jdbc.sql("update shelf.items set name = 'desk lamp', price = 12.00 where id = ?").param(id).update();
        jdbc.sql("delete from shelf.items where id = ?").param(id).update();

        List<ChangeEvent> changes = await().atMost(Duration.ofSeconds(30))
                .until(() -> recorder.of(id), received -> received.size() == 3);

        assertThat(changes).extracting(ChangeEvent::operation)
                .containsExactly(Operation.INSERT, Operation.UPDATE, Operation.DELETE);
        assertThat(changes).extracting(ChangeEvent::position).isSorted();
        ChangeEvent update = changes.get(1);
        assertThat(update.table()).isEqualTo("shelf.items");
        assertThat(update.key()).containsEntry("id", id);
        assertThat(update.before()).containsEntry("name", "lamp").containsEntry("price", new BigDecimal("10.50"));
        assertThat(update.after()).containsEntry("name", "desk lamp");
        assertThat(changes.get(2).after()).isNull();
        assertThat(changes.get(2).before()).containsEntry("name", "desk lamp");
        assertThat(update.committedAt()).isBefore(java.time.Instant.now());
        assertThat(meters.get("ficus.cdc.lag").timer().count()).isPositive();
    }

    /** A slot left behind by another application (slot and publication named alike) shows in health, ours does not. */
    @Test
    void anAbandonedSlotOfAnotherStreamIsReported() {
        jdbc.sql("select pg_create_logical_replication_slot('gone_app', 'pgoutput')").query(Object.class).list();
        jdbc.sql("create publication gone_app").update();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(lifecycle.abandonedSlots())
                    .extracting(ChangeStream.Slot::name).contains("gone_app"));
            Map<String, Object> details = healthIndicator.health().getDetails();
            assertThat(details.get("abandonedSlots")).asString().contains("gone_app").doesNotContain(stream.slot()
                    .orElseThrow().name());
        }
        finally {
            jdbc.sql("select pg_drop_replication_slot('gone_app')").query(Object.class).list();
            jdbc.sql("drop publication gone_app").update();
        }
    }

    @Test
    void aTruncateIsDelivered() {
        jdbc.sql("insert into shelf.items values (?, 'doomed', 1)").param(IDS.incrementAndGet()).update();
        jdbc.sql("truncate shelf.items").update();

        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.changes.stream()
                .anyMatch(change -> change.operation() == Operation.TRUNCATE && change.table().equals("shelf.items")));
    }

    @Test
    void changesCommittedWhileStoppedAreDeliveredAfterARestart() {
        long before = IDS.incrementAndGet();
        jdbc.sql("insert into shelf.items values (?, 'before', 1)").param(before).update();
        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.of(before).size() == 1);

        lifecycle.stop();
        assertThat(stream.state()).isEqualTo(State.STOPPED);
        assertThat(jdbc.sql("select count(*) from cdc.offsets where stream = 'ficus'").query(Long.class).single())
                .as("the position is kept in PostgreSQL").isPositive();
        long whileStopped = IDS.incrementAndGet();
        jdbc.sql("insert into shelf.items values (?, 'while stopped', 1)").param(whileStopped).update();
        lifecycle.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> recorder.of(whileStopped).size() == 1);
        assertThat(recorder.of(before)).as("nothing handled before the stop comes again").hasSize(1);
    }

    @Test
    void aChangeItsSubscriberKeepsFailingOnIsRetriedDeadLetteredAndReplayed() {
        long poison = IDS.incrementAndGet();
        long next = IDS.incrementAndGet();
        recorder.failing = change -> "poison".equals(change.row().get("name"));
        int callsBefore = recorder.calls;

        jdbc.sql("insert into shelf.items values (?, 'poison', 1)").param(poison).update();
        jdbc.sql("insert into shelf.items values (?, 'fine', 1)").param(next).update();

        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.of(next).size() == 1);
        assertThat(recorder.of(poison)).isEmpty();
        assertThat(recorder.calls - callsBefore).as("5 attempts for the poison, 1 for the next").isEqualTo(6);
        DeadLetters.DeadLetter letter = deadLetters.pending(100).stream()
                .filter(pending -> poison == ((Number) pending.change().row().get("id")).longValue())
                .findFirst().orElseThrow();
        assertThat(letter.subscription()).isEqualTo("recorder");
        assertThat(letter.error()).contains("refusing");
        assertThat(meters.get("ficus.cdc.dead.letters").gauge().value()).isGreaterThanOrEqualTo(1);
        assertThat(meters.get("ficus.cdc.retries").tag("subscription", "recorder").counter().count())
                .isGreaterThanOrEqualTo(4);

        DeadLetters.Replay failedAgain = deadLetters.replay(letter.id());
        assertThat(failedAgain.replayed()).as("still failing").isZero();
        assertThat(failedAgain.failed()).containsKey(letter.id());
        recorder.failing = change -> false;
        assertThat(deadLetters.replay(letter.id()).replayed()).isEqualTo(1);

        assertThat(recorder.of(poison)).singleElement().satisfies(change -> {
            assertThat(change.operation()).isEqualTo(Operation.INSERT);
            assertThat(change.after()).containsEntry("name", "poison");
        });
        assertThat(deadLetters.pending(100)).noneMatch(pending -> pending.id() == letter.id());
    }

    @Test
    void heartbeatsKeepTheSlotFromHoldingBackWalWhileOnlyOtherTablesAreWritten() {
        long walBehindBefore = retainedWal();
        for (int batch = 0; batch < 40; batch++) {
            jdbc.sql("insert into shelf.noise (payload) select repeat('x', 1000) from generate_series(1, 1000)").update();
        }
        long written = jdbc.sql("select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint").query(Long.class).single();
        assertThat(written).isGreaterThan(40L * 1_000_000);

        // Without heartbeats the slot would stay behind all of that, since none of it is captured.
        await().atMost(Duration.ofSeconds(30)).until(() -> retainedWal() < 2_000_000);
        assertThat(walBehindBefore).isNotNegative();
    }

    private long retainedWal() {
        return jdbc.sql("select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint "
                + "from pg_replication_slots where slot_name = 'ficus'").query(Long.class).single();
    }
}
