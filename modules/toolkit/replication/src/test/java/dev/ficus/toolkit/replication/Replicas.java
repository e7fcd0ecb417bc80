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
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

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

    /** The source table most tests replicate: {@code shop.items}, whose copy is {@code copy.items}. */
    static final String SHOP_ITEMS = """
            create schema shop;
            create table shop.items (
                id            bigint primary key,
                name          text           not null,
                price_amount  numeric(10, 2) not null,
                changed_at    timestamptz    not null,
                version       bigint         not null,
                internal_note text);
            """;

    /** The settings that replicate {@code shop.items} into {@code copy.items} as table {@code index}. */
    static String[] items(int index, String... more) {
        List<String> settings = new ArrayList<>(List.of(
                "ficus.replication.tables[%d].source=shop.items".formatted(index),
                "ficus.replication.tables[%d].target=copy.items".formatted(index),
                "ficus.replication.tables[%d].columns.name=title".formatted(index),
                "ficus.replication.tables[%d].columns.price_amount=price".formatted(index),
                "ficus.replication.tables[%d].version-column=version".formatted(index)));
        settings.addAll(List.of(more));
        return settings.toArray(String[]::new);
    }

    /**
     * Two databases of a test on the test server: {@code <name>_shop}, the source, and
     * {@code <name>_copy}, where replicas keep their copy.
     */
    record Databases(EmbeddedPostgresServer server, String shopDatabase, String copyDatabase, JdbcClient shop,
            JdbcClient copy) implements AutoCloseable {

        static Databases create(String name) {
            EmbeddedPostgresServer server = Replicas.server();
            server.createDatabaseIfAbsent(name + "_shop");
            server.createDatabaseIfAbsent(name + "_copy");
            return new Databases(server, name + "_shop", name + "_copy", jdbc(server, name + "_shop"),
                    jdbc(server, name + "_copy"));
        }

        /** A replica of the shop's tables in the copy's database, streaming. */
        ConfigurableApplicationContext replicate(String replication, String... settings) {
            ConfigurableApplicationContext replica = start(server, copyDatabase, shopDatabase, replication, settings);
            awaitStreaming(replica);
            return replica;
        }

        /** A replica of the copy's tables back into the shop's database, streaming. */
        ConfigurableApplicationContext replicateBack(String replication, String... settings) {
            ConfigurableApplicationContext replica = start(server, shopDatabase, copyDatabase, replication, settings);
            awaitStreaming(replica);
            return replica;
        }

        /** One connection of its own, as a writer's pool would keep, not a new one per statement. */
        JdbcClient connection(String database) {
            return JdbcClient.create(new SingleConnectionDataSource(server.jdbcUrl(database), server.username(), "",
                    true));
        }

        @Override
        public void close() {
            server.close();
        }
    }

    static Replication replication(ConfigurableApplicationContext context) {
        return context.getBean(Replication.class);
    }

    static void awaitStreaming(ConfigurableApplicationContext context) {
        await().atMost(PATIENCE).until(() -> replication(context).status().state()
                == dev.ficus.toolkit.cdc.ChangeStream.State.STREAMING);
    }

    /**
     * Until a reconciliation finds no mismatch. One that fails outright is tried again too: a test
     * that cut the copy's connections may have left a dead one in the pool for it.
     */
    static ReconciliationReport awaitConsistent(ConfigurableApplicationContext context) {
        ReconciliationReport[] last = new ReconciliationReport[1];
        await().atMost(PATIENCE).ignoreExceptionsInstanceOf(IllegalStateException.class).untilAsserted(() -> {
            last[0] = replication(context).reconcile(false);
            assertThat(last[0].mismatches()).as("%s", last[0]).isZero();
        });
        return last[0];
    }
}
