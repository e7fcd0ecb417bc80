package dev.ficus.toolkit.replication;

import java.sql.Connection;
import java.time.Duration;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The replica's database itself refuses the writes of a stream run whose term another run has
 * claimed, and a transaction of the old term still open when the new one claims comes first.
 */
class TermFencingTests {

    @Test
    void aTermTakenOverWritesNothingMoreAndItsOpenTransactionComesFirst() throws Exception {
        try (EmbeddedPostgresServer server = Replicas.server()) {
            server.createDatabaseIfAbsent("term_fencing");
            DataSource database = new SimpleDriverDataSource(new org.postgresql.Driver(),
                    server.jdbcUrl("term_fencing"), server.username(), "");
            ReplicationTables.ensureHere(JdbcClient.create(database), "sync", "catalog", ExtractionPhase.READ_COPY);
            MarkedWrites writes = new MarkedWrites(new JdbcTemplate(database),
                    new TransactionTemplate(new DataSourceTransactionManager(database)), "sync", "catalog");
            writes.claim("old run");

            Thread newRun;
            try (Connection old = database.getConnection()) {
                old.setAutoCommit(false);
                writes.mark(old);
                writes.requireTerm(old, "old run");

                newRun = Thread.ofPlatform().start(() -> writes.claim("new run"));
                await().atMost(Duration.ofSeconds(10)).until(() -> JdbcClient.create(database)
                        .sql("select count(*) from pg_locks where not granted").query(Long.class).single() > 0);
                assertThat(newRun.isAlive()).as("the new run waits for the old run's open transaction").isTrue();
                old.commit();
            }
            newRun.join(Duration.ofSeconds(10));
            assertThat(newRun.isAlive()).isFalse();

            try (Connection late = database.getConnection()) {
                late.setAutoCommit(false);
                writes.mark(late);
                assertThatThrownBy(() -> writes.requireTerm(late, "old run"))
                        .isInstanceOf(MarkedWrites.TermTakenOver.class);
                late.rollback();
            }
            try (Connection current = database.getConnection()) {
                current.setAutoCommit(false);
                writes.mark(current);
                writes.requireTerm(current, "new run");
                current.commit();
            }
        }
    }
}
