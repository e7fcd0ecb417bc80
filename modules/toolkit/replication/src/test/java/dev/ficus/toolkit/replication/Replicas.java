package dev.ficus.toolkit.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real PostgreSQL server for the replication tests, and replicas started on it: applications
 * whose database holds the copy (schema {@code copy}, migrated from {@code db/migration/copy})
 * of tables a test creates in another database on the same server.
 */
final class Replicas {

    static final Duration PATIENCE = Duration.ofSeconds(60);

    private Replicas() {
    }

    static EmbeddedPostgresServer server() {
        return EmbeddedPostgresServer.obtain(
                new EmbeddedPostgresProperties(true, "", 0, "postgres", Duration.ofSeconds(60), Map.of()));
    }

    static JdbcClient jdbc(EmbeddedPostgresServer server, String database) {
        return JdbcClient.create(new SimpleDriverDataSource(new org.postgresql.Driver(), server.jdbcUrl(database),
                server.username(), ""));
    }

    /**
     * A replica in database {@code home} of tables in database {@code source}, named {@code name};
     * {@code settings} add to (or override) the replication's, e.g.
     * {@code ficus.replication.tables[0].source=shop.items}.
     */
    static ConfigurableApplicationContext start(EmbeddedPostgresServer server, String home, String source,
            String name, String... settings) {
        List<String> properties = new ArrayList<>(List.of(
                "spring.datasource.url=" + server.jdbcUrl(home),
                "spring.datasource.username=" + server.username(),
                "ficus.replication.name=" + name,
                "ficus.replication.source.url=" + server.jdbcUrl(source),
                "ficus.replication.source.username=" + server.username()));
        properties.addAll(List.of(settings));
        return new SpringApplicationBuilder(ReplicationTestApplication.class)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .run();
    }

    static Replication replication(ConfigurableApplicationContext context) {
        return context.getBean(Replication.class);
    }

    static void awaitStreaming(ConfigurableApplicationContext context) {
        await().atMost(PATIENCE).until(() -> replication(context).status().state()
                == dev.ficus.toolkit.cdc.ChangeStream.State.STREAMING);
    }

    static ReconciliationReport awaitConsistent(ConfigurableApplicationContext context) {
        ReconciliationReport[] last = new ReconciliationReport[1];
        await().atMost(PATIENCE).untilAsserted(() -> {
            last[0] = replication(context).reconcile(false);
            assertThat(last[0].mismatches()).as("%s", last[0]).isZero();
        });
        return last[0];
    }
}
