package dev.ficus.toolkit.replication;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.boot.health.contributor.Health;
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
 * Schema changes at the source while a table is replicated: a new nullable column is harmless; a
 * mapped column renamed or dropped (while streaming, or while the replica was down) stops that
 * table's changes with an error naming the column, and writes no nulls over data; once the mapping
 * says where the column went, a replay brings the copy level.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchemaChangeTests {

    private static Databases databases;
    private static JdbcClient shop;
    private static JdbcClient copy;
    private static ConfigurableApplicationContext replica;

    @BeforeAll
    static void start() {
        databases = Databases.create("schema");
        shop = databases.shop();
        copy = databases.copy();
        shop.sql("""
                create schema shop;
                create table shop.shelves (id bigint primary key, label text not null, width integer, note text);
                insert into shop.shelves values (1, 'oak', 80, 'by the door'), (2, 'pine', 60, 'upstairs'),
                                                (3, 'birch', 90, null);
                """).update();
        replica = startReplica();
        awaitConsistent(replica);
    }

    private static ConfigurableApplicationContext startReplica(String... columns) {
        String[] settings = new String[2 + columns.length];
        settings[0] = "ficus.replication.tables[0].source=shop.shelves";
        settings[1] = "ficus.replication.tables[0].target=copy.shelves";
        for (int i = 0; i < columns.length; i++) {
            settings[2 + i] = "ficus.replication.tables[0].columns." + columns[i];
        }
        return databases.replicate("shelves", settings);
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
    void aNewNullableColumnAtTheSourceIsHarmless() {
        shop.sql("alter table shop.shelves add column colour text").update();
        shop.sql("update shop.shelves set colour = 'red', label = 'red oak' where id = 1").update();

        await().atMost(PATIENCE).until(() -> "red oak".equals(label(1)));
        assertThat(deadLetters().pendingCount()).isZero();
        awaitConsistent(replica);
    }

    @Test
    @Order(2)
    void aRenamedColumnStopsTheTablesChangesWithoutNullsUntilItIsMappedThenAReplayLevelsTheCopy() {
        shop.sql("alter table shop.shelves rename column width to breadth").update();
        shop.sql("update shop.shelves set breadth = 99 where id = 2").update();
        shop.sql("insert into shop.shelves values (4, 'ash', 70, null, null)").update();

        await().atMost(PATIENCE).until(() -> deadLetters().pendingCount() == 2);
        List<DeadLetters.DeadLetter> waiting = deadLetters().pending(10);
        assertThat(waiting.getFirst().error()).contains("shop.shelves.width").contains("renamed or dropped");
        assertThat(waiting.get(1).waitsBehind()).as("the table's next change waits too").isEqualTo(waiting.getFirst().id());
        assertThat(width(2)).as("no null written over the copy's value").isEqualTo(60);
        assertThat(copy.sql("select count(*) from copy.shelves where id = 4").query(Long.class).single()).isZero();
        ReplicationStatus status = replication(replica).status();
        assertThat(status.state()).isEqualTo(State.STREAMING);
        assertThat(status.schemaProblems()).containsKey("shop.shelves");
        Health health = replica.getBean(ReplicationHealthIndicator.class).health();
        assertThat(health.getStatus()).isEqualTo(ReplicationHealthIndicator.DEGRADED);
        assertThat(health.getDetails().get("schemaProblems").toString()).contains("shop.shelves.width");

        // The operator maps the new name and restarts; the waiting changes are replayed in order.
        replica.close();
        replica = startReplica("breadth=width");
        DeadLetters.Replay replay = deadLetters().replayAll();

        assertThat(replay.replayed()).isEqualTo(2);
        assertThat(width(2)).isEqualTo(99);
        awaitConsistent(replica);
        assertThat(replication(replica).status().schemaProblems()).isEmpty();
    }

    @Test
    @Order(3)
    void aColumnDroppedWhileTheReplicaWasDownIsNoticedAtItsStartAndItsDataKept() {
        replica.close();
        shop.sql("alter table shop.shelves drop column note").update();
        shop.sql("update shop.shelves set label = 'dark oak' where id = 1").update();
        replica = startReplica("breadth=width");

        assertThat(replication(replica).status().schemaProblems()).hasEntrySatisfying("shop.shelves",
                problem -> assertThat(problem).contains("[note]"));
        await().atMost(PATIENCE).until(() -> deadLetters().pendingCount() == 1);
        assertThat(copy.sql("select note from copy.shelves where id = 1").query(String.class).single())
                .as("the copy keeps what the source dropped").isEqualTo("by the door");
        assertThat(label(1)).isEqualTo("red oak");

        // The operator drops the column from the copy too, restarts and replays.
        copy.sql("alter table copy.shelves drop column note").update();
        replica.close();
        replica = startReplica("breadth=width");
        assertThat(replication(replica).status().schemaProblems()).isEmpty();
        assertThat(deadLetters().replayAll().replayed()).isEqualTo(1);
        assertThat(label(1)).isEqualTo("dark oak");
        assertThat(awaitConsistent(replica).tables()).extracting(ReconciliationReport.TableReport::mismatchedKeys)
                .containsOnly(List.<Map<String, String>>of());
    }

    private static DeadLetters deadLetters() {
        return replication(replica).deadLetters().orElseThrow();
    }

    private static String label(long id) {
        return copy.sql("select label from copy.shelves where id = ?").param(id).query(String.class).single();
    }

    private static Integer width(long id) {
        return copy.sql("select width from copy.shelves where id = ?").param(id).query(Integer.class).single();
    }
}
