package dev.ficus.toolkit.embeddedpostgres;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedPostgresAutoConfigurationTests {

    private final ApplicationContextRunner contexts = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class,
                    DataSourceAutoConfiguration.class));

    @Test
    void withoutADatasourceUrlTheApplicationGetsTheEmbeddedServer() {
        contexts.withPropertyValues("ficus.embedded-postgres.database=autoconfigured").run(context -> {
            EmbeddedPostgresServer server = context.getBean(EmbeddedPostgresServer.class);
            String database = new JdbcTemplate(context.getBean(DataSource.class))
                    .queryForObject("select current_database()", String.class);

            assertThat(database).isEqualTo("autoconfigured");
            assertThat(server.jdbcUrl()).endsWith("/autoconfigured");
        });
    }

    @Test
    void aConfiguredDatasourceUrlWins() {
        contexts.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/elsewhere")
                .run(context -> assertThat(context).doesNotHaveBean(EmbeddedPostgresServer.class));
    }

    @Test
    void itCanBeSwitchedOff() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class))
                .withPropertyValues("ficus.embedded-postgres.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(EmbeddedPostgresServer.class));
    }
}
