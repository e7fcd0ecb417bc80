package dev.ficus.toolkit.replication;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.replication.ReconciliationReport.TableReport;

import dev.ficus.toolkit.replication.Replicas.Databases;

import static dev.ficus.toolkit.replication.Replicas.PATIENCE;
import static dev.ficus.toolkit.replication.Replicas.awaitConsistent;
import static dev.ficus.toolkit.replication.Replicas.replication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Replication while the source keeps writing: a transaction of 50,000 rows lands as one
 * transaction (no reader sees part of it); reconciliation during a steady 1,000 changes/s reports
 * nothing that is merely in flight, and exactly the row corrupted by hand; repairs racing the
 * stream's writes to the same rows never leave an older row behind.
 */
class UnderTrafficTests {

    private static final int ITEMS = 10_000;

    private static Databases databases;
    private static JdbcClient shop;
    private static JdbcClient copy;
    private static ConfigurableApplicationContext replica;

    @BeforeAll
    static void start() {
        databases = Databases.create("traffic");
        shop = databases.shop();
        copy = databases.copy();
        shop.sql(Replicas.SHOP_ITEMS).update();
        shop.sql("""
                create table shop.bulk (id bigint primary key, label text not null);
                """).update();
        shop.sql("insert into shop.items select g, 'item ' || g, g % 1000, now(), 1, null from generate_series(1, ?) g")
                .param(ITEMS).update();
        replica = databases.replicate("traffic", Replicas.items(0,
                "ficus.replication.chunk-size=500",
                "ficus.replication.tables[1].source=shop.bulk",
                "ficus.replication.tables[1].target=copy.bulk"));
        awaitConsistent(replica);
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        databases.close();
    }

    @Test
    void aTransactionOf50000RowsLandsAsOneTransactionThatNoReaderSeesPartOf() throws Exception {
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        AtomicLong reads = new AtomicLong();
        AtomicBoolean reading = new AtomicBoolean(true);
        JdbcClient readerConnection = databases.connection(databases.copyDatabase());
        Thread reader = Thread.ofVirtual().start(() -> {
            while (reading.get()) {
                seen.add(readerConnection.sql("select count(*) from copy.bulk").query(Long.class).single());
                reads.incrementAndGet();
            }
        });
        shop.sql("insert into shop.bulk select g, 'bulk ' || g from generate_series(1, 50000) g").update();

        await().atMost(PATIENCE).until(() -> copy.sql("select count(*) from copy.bulk").query(Long.class).single()
                == 50_000);
        reading.set(false);
        reader.join();

        assertThat(reads.get()).as("the reader kept reading").isGreaterThan(10);
        assertThat(seen).as("counts a reader saw").contains(0L).isSubsetOf(0L, 50_000L);
        assertThat(copy.sql("select count(distinct xmin::text) from copy.bulk").query(Long.class).single())
                .as("written by one transaction").isEqualTo(1);
    }

    @Test
    void reconciliationDuringASteadyThousandChangesASecondReportsOnlyWhatReallyDiffers() throws Exception {
        try (Traffic traffic = new Traffic(1_000)) {
            await().atMost(PATIENCE).until(() -> traffic.written() >= 1_000);
            Instant until = Instant.now().plusSeconds(5);
            int rounds = 0;
            long inFlight = 0;
            while (rounds < 3 || Instant.now().isBefore(until)) {
                ReconciliationReport report = replication(replica).reconcile(false);
                assertThat(report.mismatches()).as("%s", report).isZero();
                assertThat(report.streamCaughtUp()).isTrue();
                inFlight += report.tables().getFirst().inFlight();
                rounds++;
            }
            assertThat(inFlight).as("rows that differed only because their change was on its way").isPositive();
            // Corrupt a row no writer touches: it is the one difference found, and the repair fixes it.
            copy.sql("update copy.items set title = 'corrupted by hand' where id = ?").param(ITEMS + 1).update();
            TableReport found = replication(replica).reconcile(false).tables().getFirst();
            assertThat(found.mismatchedKeys()).containsExactly(Map.of("id", Long.toString(ITEMS + 1)));
            assertThat(found.different()).isEqualTo(1);

            TableReport repaired = replication(replica).reconcile(true).tables().getFirst();
            assertThat(repaired.repaired()).isEqualTo(1);
            assertThat(traffic.written()).as("the traffic really ran").isGreaterThan(4_000);
        }
        awaitConsistent(replica);
        assertThat(copy.sql("select title from copy.items where id = ?").param(ITEMS + 1).query(String.class).single())
                .isEqualTo("untouched");
    }

    @Test
    void aRepairRacingTheStreamsWriteToItsRowNeverPutsTheOlderRowBack() throws Exception {
        long id = 42;
        // Writing a row named 'slow' here takes 1.5 s before the row is even looked at: a repair
        // of it is still writing when the source changes the row again and the stream brings that.
        copy.sql("""
                create function copy.slow_down() returns trigger language plpgsql as $$
                begin
                    if new.title = 'slow' then
                        perform pg_sleep(1.5);
                    end if;
                    return new;
                end $$;
                create trigger slow_down before insert on copy.items for each row execute function copy.slow_down();
                """).update();
        try {
            shop.sql("update shop.items set name = 'slow', version = version + 1 where id = ?").param(id).update();
            await().atMost(PATIENCE).until(() -> "slow".equals(title(id)));
            copy.sql("update copy.items set price = -1 where id = ?").param(id).update();

            RepairResult[] repaired = new RepairResult[1];
            Thread repair = Thread.ofVirtual().start(() ->
                    repaired[0] = replication(replica).repair("copy.items", Map.of("id", Long.toString(id))));
            // The repair is writing its row (sleeping in the trigger) when the source changes it again.
            await().atMost(PATIENCE).until(() -> copy.sql("select count(*) from pg_stat_activity "
                    + "where datname = current_database() and wait_event = 'PgSleep'").query(Long.class).single() > 0);
            shop.sql("update shop.items set name = 'fast', version = version + 1 where id = ?").param(id).update();
            repair.join();

            assertThat(repaired[0]).isEqualTo(RepairResult.COPIED);
            awaitConsistent(replica);
            assertThat(title(id)).as("the stream's newer row, not the repair's older one").isEqualTo("fast");
            assertThat(copy.sql("select version from copy.items where id = ?").param(id).query(Long.class).single())
                    .isEqualTo(shop.sql("select version from shop.items where id = ?").param(id).query(Long.class)
                            .single());
        }
        finally {
            copy.sql("drop trigger slow_down on copy.items; drop function copy.slow_down()").update();
        }
    }

    private static String title(long id) {
        return copy.sql("select title from copy.items where id = ?").param(id).query(String.class).single();
    }

    /** Price changes at a steady rate: every 10 ms one transaction of rate/100 random rows. */
    private static final class Traffic implements AutoCloseable {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong written = new AtomicLong();
        private final Thread writer;

        Traffic(int perSecond) {
            shop.sql("insert into shop.items values (?, 'untouched', 1, now(), 1, null) on conflict do nothing")
                    .param(ITEMS + 1).update();
            int perTransaction = perSecond / 100;
            JdbcClient source = databases.connection(databases.shopDatabase());
            writer = Thread.ofVirtual().start(() -> {
                long next = System.nanoTime();
                while (running.get()) {
                    Long[] ids = new Long[perTransaction];
                    for (int i = 0; i < perTransaction; i++) {
                        ids[i] = ThreadLocalRandom.current().nextLong(1, ITEMS + 1);
                    }
                    source.sql("update shop.items set price_amount = price_amount + 0.01, version = version + 1 "
                            + "where id = any(?)").param(ids).update();
                    written.addAndGet(perTransaction);
                    next += Duration.ofMillis(10).toNanos();
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(Duration.ofNanos(wait));
                        }
                        catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
        }

        long written() {
            return written.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            writer.join();
        }
    }
}
