package dev.ficus.toolkit.cdc;

import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
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

    /** An application that builds its own DataSource says so; the stream takes the database from that pool. */
    @Test
    void explicitlyEnabledItStreamsFromTheApplicationsOwnDataSource() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ChangeStreamAutoConfiguration.class))
                .withBean(DataSource.class, () -> pool("jdbc:postgresql://127.0.0.1:1/own", "owner", "secret"))
                .withPropertyValues("ficus.cdc.enabled=true", "ficus.embedded-postgres.enabled=false")
                .run(context -> assertThat(context).getFailure().hasStackTraceContaining("'changeStream'"));
    }

    @Test
    void connectionDetailsWinOverTheDataSourceWhichIsTheFallback() {
        HikariDataSource pool = pool("jdbc:postgresql://db:5433/own?sslmode=verify-full", "owner", "secret");
        assertThat(PostgresDatabase.of(null, pool))
                .isEqualTo(new PostgresDatabase("jdbc:postgresql://db:5433/own?sslmode=verify-full", "owner", "secret"));
        JdbcConnectionDetails details = new JdbcConnectionDetails() {
            @Override
            public String getJdbcUrl() {
                return "jdbc:postgresql://elsewhere/shop";
            }

            @Override
            public String getUsername() {
                return "shop";
            }

            @Override
            public String getPassword() {
                return null;
            }
        };
        assertThat(PostgresDatabase.of(details, pool))
                .isEqualTo(new PostgresDatabase("jdbc:postgresql://elsewhere/shop", "shop", ""));
    }

    @Test
    void theStreamIsNamedAfterTheApplicationUnlessNamed() {
        assertThat(streamName(Map.of("spring.application.name", "Pet Clinic-2"))).isEqualTo("pet_clinic_2");
        assertThat(streamName(Map.of("spring.application.name", "2nd-shop"))).isEqualTo("_2nd_shop");
        assertThat(streamName(Map.of("spring.application.name", "petclinic", "ficus.cdc.name", "visits")))
                .isEqualTo("visits");
        assertThat(streamName(Map.of())).isNull();
    }

    private static String streamName(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("application", properties));
        new StreamNameDefault().postProcessEnvironment(environment, new SpringApplication());
        return environment.getProperty("ficus.cdc.name");
    }

    private static HikariDataSource pool(String url, String user, String password) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setUsername(user);
        pool.setPassword(password);
        return pool;
    }
}
