package dev.ficus.toolkit.cdc;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Change data capture turns itself on only where it can work. */
class ChangeStreamAutoConfigurationTests {

    /** An application's own database, never connected to here. */
    private final ApplicationContextRunner application = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ChangeStreamAutoConfiguration.class))
            .withBean(DataSource.class, SimpleDriverDataSource::new);

    /** The stream is then made: here it fails to reach the database (nothing listens on port 1), which shows it was. */
    @Test
    void aPostgresqlUrlTurnsItOn() {
        application.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/shop")
                .run(context -> assertThat(context).getFailure().hasStackTraceContaining("'changeStream'"));
    }

    @Test
    void aDatabaseThatIsNotPostgresqlTurnsItOff() {
        application.withPropertyValues("spring.datasource.url=jdbc:h2:mem:shop")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ChangeStream.class));
        application.withPropertyValues("spring.datasource.url=jdbc:mariadb://127.0.0.1:3306/shop")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ChangeStream.class));
    }

    @Test
    void noUrlAndNoEmbeddedPostgresqlTurnsItOff() {
        application.withPropertyValues("ficus.embedded-postgres.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ChangeStream.class));
    }

    @Test
    void switchedOffItStaysOffWhateverTheDatabase() {
        application.withPropertyValues("ficus.cdc.enabled=false", "spring.datasource.url=jdbc:postgresql://db/shop")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ChangeStream.class));
    }
}
