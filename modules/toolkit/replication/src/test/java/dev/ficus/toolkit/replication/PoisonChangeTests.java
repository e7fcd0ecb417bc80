package dev.ficus.toolkit.replication;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeStream.State;
import dev.ficus.toolkit.cdc.DeadLetters;

import dev.ficus.toolkit.replication.Replicas.Databases;

import static dev.ficus.toolkit.replication.Replicas.PATIENCE;
import static dev.ficus.toolkit.replication.Replicas.awaitConsistent;
import static dev.ficus.toolkit.replication.Replicas.replication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the target rejects, and a target that goes away: a rejected change is dead-lettered with
 * the target's error while everything else flows on, the rejected row's later changes wait behind
 * it, and a replay after the operator's fix converges; a table set to halt stops the stream (and
 * readiness follows the staleness bound); cut connections lose and dead-letter nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoisonChangeTests {

    private static Databases databases;
    private static JdbcClient shop;
    private static JdbcClient copy;
    private static ConfigurableApplicationContext replica;

    @BeforeAll
    static void start() {
        databases = Databases.create("poison");
        shop = databases.shop();
        copy = databases.copy();
        shop.sql(Replicas.SHOP_ITEMS).update();
        shop.sql("""
                create table shop.ledger (id bigint primary key, amount numeric(10, 2) not null);
                insert into shop.items select g, 'item ' || g, g, now(), 1, null from generate_series(1, 20) g;
                """).update();
        replica = databases.replicate("poisoned", Replicas.items(0,
                "ficus.replication.max-staleness=3s",
                "ficus.replication.tables[1].source=shop.ledger",
                "ficus.replication.tables[1].target=copy.ledger",
                "ficus.replication.tables[1].on-error=halt"));
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
    @Order(1)
    void aRowTheTargetRejectsIsDeadLetteredTheStreamMovesOnAndAReplayAfterTheFixConverges() {
        copy.sql("insert into copy.items values (9001, 'POISON-1', 1, now(), 1)").update();
        shop.sql("insert into shop.items values (501, 'POISON-1', 5.00, now(), 1, null)").update();
        shop.sql("update shop.items set price_amount = 7.77, version = 2 where id = 1").update();

        await().atMost(PATIENCE).until(() -> price(1).compareTo(new BigDecimal("7.77")) == 0);
        Replication replication = replication(replica);
        assertThat(replication.status().state()).isEqualTo(State.STREAMING);
        DeadLetters deadLetters = replication.deadLetters().orElseThrow();
        DeadLetters.DeadLetter rejected = await().atMost(PATIENCE)
                .until(() -> deadLetters.pending(10), pending -> pending.size() == 1).getFirst();
        assertThat(rejected.error()).contains("duplicate key").contains("items_title");
        assertThat(rejected.change().after()).containsEntry("name", "POISON-1");

        // The rejected row's next change waits behind it, untried; other rows go on.
        shop.sql("update shop.items set price_amount = 6.00, version = 2 where id = 501").update();
        shop.sql("update shop.items set price_amount = 8.88, version = 3 where id = 1").update();
        await().atMost(PATIENCE).until(() -> price(1).compareTo(new BigDecimal("8.88")) == 0);
        List<DeadLetters.DeadLetter> pending = deadLetters.pending(10);
        assertThat(pending).hasSize(2);
        assertThat(pending.get(1).waitsBehind()).isEqualTo(rejected.id());
        assertThat(pending.get(1).attempts()).isZero();

        Health degraded = health();
        assertThat(degraded.getStatus()).isEqualTo(ReplicationHealthIndicator.DEGRADED);
        @SuppressWarnings("unchecked")
        Map<String, Object> letters = (Map<String, Object>) degraded.getDetails().get("deadLetters");
        assertThat(letters).containsEntry("pending", 2L).containsKey("oldestAgeSeconds");
        assertThat(replication.reconcile(false).tables().getFirst().mismatchedKeys()).contains(Map.of("id", "501"));

        // The operator removes the stray row and replays: both changes of the row apply, in order.
        copy.sql("delete from copy.items where id = 9001").update();
        DeadLetters.Replay replay = deadLetters.replay(rejected.id());

        assertThat(replay.replayed()).isEqualTo(2);
        assertThat(replay.failed()).isEmpty();
        assertThat(replay.pending()).isZero();
        assertThat(price(501)).isEqualByComparingTo("6.00");
        assertThat(copy.sql("select version from copy.items where id = 501").query(Long.class).single()).isEqualTo(2);
        awaitConsistent(replica);
        assertThat(health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    @Order(2)
    void cuttingTheTargetsConnectionsLosesNothingAndDeadLettersNothing() throws Exception {
        AtomicInteger cuts = new AtomicInteger();
        Instant until = Instant.now().plusSeconds(4);
        Thread cutter = Thread.ofVirtual().start(() -> {
            while (Instant.now().isBefore(until)) {
                cuts.addAndGet(shop.sql("""
                        select count(pg_terminate_backend(pid)) from pg_stat_activity
                        where datname = 'poison_copy' and pid <> pg_backend_pid()""").query(Integer.class).single());
                try {
                    Thread.sleep(150);
                }
                catch (InterruptedException e) {
                    return;
                }
            }
        });
        for (int i = 1; i <= 300; i++) {
            shop.sql("update shop.items set price_amount = ?, version = version + 1 where id = ?")
                    .params(new BigDecimal(i + ".25"), 1 + i % 20).update();
            Thread.sleep(10);
        }
        cutter.join();

        assertThat(cuts.get()).as("connections were really cut").isPositive();
        awaitConsistent(replica);
        assertThat(replication(replica).deadLetters().orElseThrow().pendingCount()).isZero();
    }

    @Test
    @Order(3)
    void aTableSetToHaltStopsTheStreamAtTheRejectedChangeAndReadinessFollowsTheStalenessBound() {
        shop.sql("insert into shop.ledger values (1, -5.00)").update();
        shop.sql("insert into shop.items values (777, 'behind the halt', 1, now(), 1, null)").update();

        await().atMost(PATIENCE).until(() -> replication(replica).status().lastError() != null
                && replication(replica).status().lastError().contains("ledger_amount_check"));
        await().atMost(PATIENCE).until(() -> health().getStatus().equals(Status.OUT_OF_SERVICE));
        assertThat(copy.sql("select count(*) from copy.items where id = 777").query(Long.class).single())
                .as("nothing passes the halted change").isZero();
        assertThat(replication(replica).status().pendingDeadLetters()).isZero();

        copy.sql("alter table copy.ledger drop constraint ledger_amount_check").update();

        await().atMost(PATIENCE).until(() -> copy.sql("select count(*) from copy.items where id = 777")
                .query(Long.class).single() == 1);
        assertThat(copy.sql("select amount from copy.ledger where id = 1").query(BigDecimal.class).single())
                .isEqualByComparingTo("-5.00");
        await().atMost(PATIENCE).until(() -> health().getStatus().equals(Status.UP));
        awaitConsistent(replica);
    }

    private static BigDecimal price(long id) {
        return copy.sql("select price from copy.items where id = ?").param(id).query(BigDecimal.class).optional()
                .orElse(BigDecimal.valueOf(-1));
    }

    private static Health health() {
        return replica.getBean(ReplicationHealthIndicator.class).health();
    }
}
