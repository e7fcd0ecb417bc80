package dev.ficus.toolkit.replication;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

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
import static dev.ficus.toolkit.replication.Replicas.replication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Moving writes between the two sides of a two-way sync: the side giving writes up is fenced (its
 * database refuses them, whoever writes) before the other takes them, no write slips past the
 * fence, a row changed on both sides anyway is a recorded conflict that the owner wins, and a
 * switch that would lose changes is refused and changes nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PhaseSwitchTests {

    private static Databases databases;
    private static JdbcClient shop;
    private static JdbcClient copy;
    private static ConfigurableApplicationContext forward;
    private static ConfigurableApplicationContext back;

    @BeforeAll
    static void start() {
        databases = Databases.create("phase");
        shop = databases.shop();
        copy = databases.copy();
        shop.sql(Replicas.SHOP_ITEMS).update();
        shop.sql("""
                insert into shop.items select g, 'item ' || g, g, now(), 1, null from generate_series(1, 50) g;
                """).update();
        forward = databases.replicate("forward", Replicas.items(0));
        awaitConsistent(forward);
        back = databases.replicateBack("back",
                "ficus.replication.snapshot-mode=no_data",
                "ficus.replication.tables[0].source=copy.items",
                "ficus.replication.tables[0].target=shop.items",
                "ficus.replication.tables[0].columns.title=name",
                "ficus.replication.tables[0].columns.price=price_amount",
                "ficus.replication.tables[0].version-column=version");
    }

    @AfterAll
    static void stop() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] {back, forward}) {
            if (context != null) {
                context.close();
            }
        }
        databases.close();
    }

    @Test
    @Order(1)
    void aSwitchWhileChangesWaitInTheDeadLettersIsRefusedAndChangesNothing() {
        copy.sql("insert into copy.items values (9001, 'taken here', 1, now(), 1)").update();
        shop.sql("insert into shop.items values (901, 'taken here', 1, now(), 1, null)").update();
        await().atMost(PATIENCE).until(() -> replication(forward).status().pendingDeadLetters() == 1);

        assertThatThrownBy(() -> replication(forward).switchPhase(ExtractionPhase.WRITES_MOVED))
                .isInstanceOf(PhaseSwitchRefused.class).hasMessageContaining("dead letters");
        assertThat(replication(forward).phase()).isEqualTo(ExtractionPhase.READ_COPY);
        shop.sql("update shop.items set price_amount = 2, version = version + 1 where id = 1").update();

        copy.sql("delete from copy.items where id = 9001").update();
        assertThat(replication(forward).deadLetters().orElseThrow().replayAll().replayed()).isEqualTo(1);
        awaitConsistent(forward);
    }

    @Test
    @Order(2)
    void noWriteSlipsPastTheFenceWhileWritesMoveAndTheSourceRefusesWritesAfterwards() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Long> committed = new CopyOnWriteArrayList<>();
        List<Long> refused = new CopyOnWriteArrayList<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        JdbcClient writer = databases.connection(databases.shopDatabase());
        Thread writes = Thread.ofVirtual().start(() -> {
            for (long id = 2000; writing.get(); id++) {
                try {
                    writer.sql("insert into shop.items values (?, ?, 1, now(), 1, null)").params(id, "written " + id)
                            .update();
                    committed.add(id);
                }
                catch (RuntimeException e) {
                    if ("FX409".equals(sqlState(e))) {
                        refused.add(id);
                    }
                    else {
                        unexpected.add(e);
                    }
                }
            }
        });
        await().atMost(PATIENCE).until(() -> committed.size() >= 20);

        replication(forward).switchPhase(ExtractionPhase.WRITES_MOVED);
        await().atMost(PATIENCE).until(() -> refused.size() >= 20);
        writing.set(false);
        writes.join();

        assertThat(replication(forward).phase()).isEqualTo(ExtractionPhase.WRITES_MOVED);
        assertThat(unexpected).isEmpty();
        assertThat(committed).as("writes made before the fence").isNotEmpty();
        assertThat(refused).as("writes refused by it").isNotEmpty();
        List<Long> copied = copy.sql("select id from copy.items where id >= 2000 order by id").query(Long.class).list();
        assertThat(copied).as("every write the source took is here").isEqualTo(committed);

        assertThatThrownBy(() -> shop.sql("update shop.items set price_amount = 3 where id = 2").update())
                .satisfies(error -> assertThat(sqlState(error)).isEqualTo("FX409"))
                .hasMessageContaining("Writes to shop.items moved to forward");
        // This side takes writes now, and they travel back to the source's copy.
        copy.sql("update copy.items set price = 33, version = version + 1 where id = 3").update();
        await().atMost(PATIENCE).until(() -> shop.sql("select price_amount from shop.items where id = 3")
                .query(BigDecimal.class).single().compareTo(new BigDecimal("33")) == 0);
        awaitConsistent(back);
    }

    @Test
    @Order(3)
    void aRowChangedOnBothSidesToTheSameVersionIsARecordedConflictThatTheOwnerWins() throws Exception {
        long id = 4;
        long version = copy.sql("select version from copy.items where id = ?").param(id).query(Long.class).single();
        try (Connection here = DriverManager.getConnection(databases.server().jdbcUrl(databases.copyDatabase()),
                databases.server().username(), "");
             Connection there = DriverManager.getConnection(databases.server().jdbcUrl(databases.shopDatabase()),
                databases.server().username(), "")) {
            // This side changes the row and holds it...
            here.setAutoCommit(false);
            try (var update = here.prepareStatement("update copy.items set title = 'changed here', version = ? "
                    + "where id = ?")) {
                update.setLong(1, version + 1);
                update.setLong(2, id);
                update.executeUpdate();
            }
            // ...while a write slips past the source's fence (a replication writer's setting, set by
            // hand) to the same version; the stream brings it here, where it waits for the row.
            try (var bypass = there.createStatement()) {
                bypass.execute("select set_config('ficus.replication_writer', 'by hand', false)");
            }
            try (var update = there.prepareStatement("update shop.items set name = 'changed there', version = ? "
                    + "where id = ?")) {
                update.setLong(1, version + 1);
                update.setLong(2, id);
                update.executeUpdate();
            }
            await().atMost(PATIENCE).until(() -> waitingForALock(databases.copyDatabase()));
            here.commit();
        }

        await().atMost(PATIENCE).until(() -> !replication(forward).conflicts(10).isEmpty()
                && !replication(back).conflicts(10).isEmpty());
        Replication.Conflict atOwner = replication(forward).conflicts(10).getFirst();
        assertThat(atOwner.kept()).isEqualTo("here");
        assertThat(atOwner.key()).contains("\"id\": \"4\"");
        assertThat(atOwner.incoming()).contains("changed there");
        assertThat(replication(back).conflicts(10).getFirst().kept()).isEqualTo("source");
        await().atMost(PATIENCE).until(() -> "changed here".equals(shop.sql("select name from shop.items where id = ?")
                .param(id).query(String.class).single()));
        assertThat(copy.sql("select title from copy.items where id = ?").param(id).query(String.class).single())
                .isEqualTo("changed here");
        ReconciliationReport.TableReport atCopy = awaitConsistent(back).tables().getFirst();
        assertThat(awaitConsistent(forward).tables().getFirst().conflicts()).isEqualTo(1);
        assertThat(atCopy.conflicts()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void movingWritesBackFencesThisSideOnceTheSourceHasEverythingWrittenHere() {
        copy.sql("update copy.items set price = 44, version = version + 1 where id = 5").update();

        replication(forward).switchPhase(ExtractionPhase.READ_COPY);

        assertThat(shop.sql("select price_amount from shop.items where id = 5").query(BigDecimal.class).single())
                .as("the write made here reached the source before it took writes again").isEqualByComparingTo("44");
        assertThatThrownBy(() -> copy.sql("update copy.items set price = 45 where id = 5").update())
                .satisfies(error -> assertThat(sqlState(error)).isEqualTo("FX409"));
        shop.sql("update shop.items set price_amount = 46, version = version + 1 where id = 5").update();
        await().atMost(PATIENCE).until(() -> copy.sql("select price from copy.items where id = 5")
                .query(BigDecimal.class).single().compareTo(new BigDecimal("46")) == 0);
        assertThat(replication(forward).repair("copy.items", Map.of("id", "5"))).isEqualTo(RepairResult.UNCHANGED);
        awaitConsistent(forward);
    }

    /** Whether a session of this database waits for a lock (the stream's, for the row held here). */
    private static boolean waitingForALock(String database) {
        return shop.sql("select count(*) from pg_stat_activity where datname = ? and wait_event_type = 'Lock'")
                .param(database).query(Long.class).single() > 0;
    }

    private static String sqlState(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
