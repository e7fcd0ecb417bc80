package dev.ficus.toolkit.replication;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.replication.ReconciliationReport.TableReport;
import dev.ficus.toolkit.replication.Replicas.Databases;

import static dev.ficus.toolkit.replication.Replicas.PATIENCE;
import static dev.ficus.toolkit.replication.Replicas.awaitConsistent;
import static dev.ficus.toolkit.replication.Replicas.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Replication of {@code shop.items} (database {@code shop}) into {@code copy.items} (database
 * {@code copy}), whose columns are partly renamed, on a real PostgreSQL with a real change stream.
 */
class ReplicationTests {


    private static Databases databases;
    private static JdbcClient shop;
    private static JdbcClient copy;
    private static ConfigurableApplicationContext replica;

    @BeforeAll
    static void startSourceAndReplica() {
        databases = Databases.create("replication");
        shop = databases.shop();
        copy = databases.copy();
        shop.sql(Replicas.SHOP_ITEMS).update();
        shop.sql("create unique index items_name on shop.items (name)").update();
        for (int id = 1; id <= 50; id++) {
            shop.sql("insert into shop.items values (?, ?, ?, now(), 1, 'not replicated')")
                    .params(id, "item " + id, new BigDecimal(id + ".50")).update();
        }
        replica = databases.replicate("replica", Replicas.items(0, "ficus.replication.chunk-size=7"));
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        databases.close();
    }

    @BeforeEach
    void caughtUp() {
        awaitConsistent(replica);
    }

    @Test
    void theSnapshotCopiesExistingRowsWithTheirColumnsMapped() {
        assertThat(copy.sql("select count(*) from copy.items").query(Long.class).single()).isGreaterThanOrEqualTo(50);
        Map<String, Object> row = copy.sql("select title, price, version from copy.items where id = 7")
                .query().singleRow();
        assertThat(row).containsEntry("title", "item 7").containsEntry("price", new BigDecimal("7.50"))
                .containsEntry("version", 1L);
    }

    @Test
    void insertsUpdatesAndDeletesArriveInCommitOrder() {
        shop.sql("insert into shop.items values (1001, 'fresh', 3.25, '2026-01-02T03:04:05.123456Z', 1, null)").update();
        shop.sql("update shop.items set price_amount = 4.75, version = 2 where id = 1001").update();
        shop.sql("update shop.items set name = 'renamed', version = 3 where id = 1001").update();
        shop.sql("delete from shop.items where id = 2").update();
        // Swapping unique names needs the changes applied in their order, not merged per key.
        shop.sql("update shop.items set name = 'swap' where id = 3").update();
        shop.sql("update shop.items set name = 'item 3' where id = 4").update();
        shop.sql("update shop.items set name = 'item 4' where id = 3").update();

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(copy.sql("select title, price, changed_at, version from copy.items where id = 1001")
                    .query().listOfRows()).singleElement().satisfies(row -> {
                        assertThat(row).containsEntry("title", "renamed").containsEntry("price", new BigDecimal("4.75"))
                                .containsEntry("version", 3L);
                        assertThat(((java.sql.Timestamp) row.get("changed_at")).toInstant())
                                .isEqualTo(Instant.parse("2026-01-02T03:04:05.123456Z"));
                    });
            assertThat(copy.sql("select count(*) from copy.items where id = 2").query(Long.class).single()).isZero();
            assertThat(copy.sql("select title from copy.items where id = 3").query(String.class).single())
                    .isEqualTo("item 4");
        });
        assertThat(replication(replica).reconcile(false).mismatches()).isZero();
        var lag = replica.getBean(io.micrometer.core.instrument.MeterRegistry.class).get("ficus.replication.lag")
                .tag("replication", "replica").timer();
        assertThat(lag.count()).as("lag recorded per applied change").isGreaterThanOrEqualTo(6);
        assertThat(lag.max(java.util.concurrent.TimeUnit.SECONDS)).isPositive().isLessThan(PATIENCE.toSeconds());
    }

    @Test
    void anIncomingRowNeverReplacesANewerOne() {
        copy.sql("update copy.items set title = 'newer here', version = 100 where id = 10").update();
        shop.sql("update shop.items set name = 'older from source', version = 2 where id = 10").update();
        shop.sql("insert into shop.items values (1002, 'after it', 1, now(), 1, null)").update();

        await().atMost(PATIENCE).until(() -> copy.sql("select count(*) from copy.items where id = 1002")
                .query(Long.class).single() == 1);
        assertThat(copy.sql("select title from copy.items where id = 10").query(String.class).single())
                .isEqualTo("newer here");
        replication(replica).repair("copy.items", Map.of("id", "10"));
    }

    @Test
    void reconciliationFindsEveryKindOfMismatchChunkByChunkAndRepairsThem() {
        copy.sql("update copy.items set price = 999 where id = 20").update();
        copy.sql("delete from copy.items where id = 21").update();
        copy.sql("insert into copy.items values (5000, 'stray', 1, now(), 1)").update();

        ReconciliationReport found = replication(replica).reconcile(false);
        TableReport table = found.tables().getFirst();
        assertThat(table.different()).isEqualTo(1);
        assertThat(table.missing()).isEqualTo(1);
        assertThat(table.unexpected()).isEqualTo(1);
        assertThat(table.sourceRows()).isEqualTo(shop.sql("select count(*) from shop.items").query(Long.class).single());
        assertThat(table.mismatchedKeys()).containsExactlyInAnyOrder(Map.of("id", "20"), Map.of("id", "21"),
                Map.of("id", "5000"));

        ReconciliationReport repaired = replication(replica).reconcile(true);
        assertThat(repaired.tables().getFirst().repaired()).isEqualTo(3);
        assertThat(replication(replica).reconcile(false).mismatches()).isZero();
        assertThat(copy.sql("select price from copy.items where id = 20").query(BigDecimal.class).single())
                .isEqualByComparingTo("20.50");
    }

    @Test
    void oneRowIsRepairedByKeyAndAnUnknownKeyIsRefused() {
        copy.sql("update copy.items set title = 'vandalised' where id = 30").update();

        assertThat(replication(replica).repair("copy.items", Map.of("id", "30"))).isEqualTo(RepairResult.COPIED);
        assertThat(copy.sql("select title from copy.items where id = 30").query(String.class).single())
                .isEqualTo("item 30");
        assertThatThrownBy(() -> replication(replica).repair("copy.items", Map.of("id", "987654")))
                .isInstanceOf(RowNotFound.class);
        assertThatThrownBy(() -> replication(replica).repair("copy.items", Map.of("id", "not-a-number")))
                .isInstanceOf(InvalidRowKey.class);
        assertThatThrownBy(() -> replication(replica).repair("copy.items", Map.of("sku", "1")))
                .isInstanceOf(InvalidRowKey.class);
        assertThatThrownBy(() -> replication(replica).repair("copy.other", Map.of("id", "1")))
                .isInstanceOf(UnknownReplicatedTable.class);
    }

    @Test
    void writesOnBothSidesConvergeWithoutPingPong() {
        try (ConfigurableApplicationContext back = databases.replicateBack("back",
                "ficus.replication.tables[0].source=copy.items",
                "ficus.replication.tables[0].target=shop.items",
                "ficus.replication.tables[0].columns.title=name",
                "ficus.replication.tables[0].columns.price=price_amount",
                "ficus.replication.tables[0].version-column=version")) {
            awaitConsistent(back);

            shop.sql("update shop.items set price_amount = 11.11, version = 2 where id = 40").update();
            copy.sql("update copy.items set price = 22.22, version = 2 where id = 41").update();
            copy.sql("insert into copy.items values (6000, 'made in the copy', 6, now(), 1)").update();

            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(copy.sql("select price from copy.items where id = 40").query(BigDecimal.class).single())
                        .isEqualByComparingTo("11.11");
                assertThat(shop.sql("select price_amount from shop.items where id = 41").query(BigDecimal.class)
                        .single()).isEqualByComparingTo("22.22");
                assertThat(shop.sql("select name from shop.items where id = 6000").query(String.class).optional())
                        .contains("made in the copy");
            });
            // Each side applied the other's change once; the applied rows did not come back.
            List<Long> settled = appliedBatches();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> appliedBatches().equals(settled));
            assertThat(replication(replica).reconcile(false).mismatches()).isZero();
            assertThat(replication(back).reconcile(false).mismatches()).isZero();
            assertThat(replica.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                    .counter("ficus.replication.echoes", "replication", "replica").count()).isPositive();
            shop.sql("delete from shop.items where id = 6000").update();
        }
    }

    private static List<Long> appliedBatches() {
        return List.of(
                copy.sql("select batches from replication.applied_batches where replication = 'replica'")
                        .query(Long.class).single(),
                shop.sql("select batches from replication.applied_batches where replication = 'back'")
                        .query(Long.class).single());
    }

}
