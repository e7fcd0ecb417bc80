package dev.ficus.toolkit.moduleschemas;

import java.time.Duration;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresAutoConfiguration;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

import static org.assertj.core.api.Assertions.assertThat;

/** Two modules (alpha and beta, in the test resources) both create a table called "things". */
class ModuleSchemasTests {

    private final ApplicationContextRunner contexts = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class,
                    DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class,
                    ModuleSchemasAutoConfiguration.class))
            .withPropertyValues("ficus.embedded-postgres.database=module_schemas");

    @Test
    void modulesAreFoundByTheirMigrationFolders() {
        assertThat(ModuleSchemas.discover(getClass().getClassLoader()).modules()).containsExactly("alpha", "beta");
    }

    @Test
    void eachModuleIsMigratedIntoItsOwnSchemaWithItsOwnHistory() {
        contexts.run(context -> {
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));

            assertThat(jdbc.queryForList("select name from alpha.things", String.class)).containsExactly("alpha thing");
            assertThat(jdbc.queryForList("select name from beta.things", String.class))
                    .containsExactlyInAnyOrder("beta thing", "another beta thing");
            assertThat(jdbc.queryForObject("select max(version) from alpha.flyway_schema_history", String.class))
                    .isEqualTo("1");
            assertThat(jdbc.queryForObject("select max(version::int) from beta.flyway_schema_history", Integer.class))
                    .isEqualTo(2);
        });
    }

    @Test
    void anApplicationOfModulesOnlyGetsNoHistoryInTheDefaultSchema() {
        contexts.run(context -> {
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));

            assertThat(jdbc.queryForObject("select to_regclass('public.flyway_schema_history') is null", Boolean.class))
                    .isTrue();
        });
    }

    @Test
    void startingAgainOnTheSameDatabaseMigratesNothing() {
        // Holding the server keeps it (and its data) alive between the two application starts.
        try (var server = EmbeddedPostgresServer.obtain(new EmbeddedPostgresProperties(true, "", 0, "module_schemas",
                Duration.ofSeconds(60), Map.of()))) {
            contexts.run(first -> { });
            contexts.run(second -> {
                JdbcTemplate jdbc = new JdbcTemplate(second.getBean(DataSource.class));
                assertThat(jdbc.queryForObject("select count(*) from beta.flyway_schema_history where version is not null", Integer.class))
                        .isEqualTo(2);
                assertThat(jdbc.queryForObject("select count(*) from beta.things", Integer.class)).isEqualTo(2);
            });
        }
    }
}
