package dev.ficus.toolkit.replication;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;

import dev.ficus.toolkit.cdc.PostgresDatabase;

/**
 * Replication into the application's database, when {@code ficus.replication.tables} names at
 * least one table; with a web server, its admin endpoints under {@code /admin/replication}.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
        afterName = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration")
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "ficus.replication.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "ficus.replication.tables[0].source")
@EnableConfigurationProperties(ReplicationProperties.class)
public class ReplicationAutoConfiguration {

    @Bean
    DefaultReplication replication(ReplicationProperties properties, JdbcConnectionDetails connection,
            DataSource dataSource, ObjectProvider<MeterRegistry> meters) {
        PostgresDatabase home = new PostgresDatabase(connection.getJdbcUrl(), connection.getUsername(),
                connection.getPassword());
        return new DefaultReplication(properties, home, dataSource,
                meters.getIfAvailable(() -> Metrics.globalRegistry));
    }

    @Bean
    ReplicationHealthIndicator replicationHealthIndicator(Replication replication,
            ReplicationProperties properties) {
        return new ReplicationHealthIndicator(replication, properties);
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    ReplicationAdminController replicationAdminController(Replication replication) {
        return new ReplicationAdminController(replication);
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    ReplicationProblems replicationProblems() {
        return new ReplicationProblems();
    }
}
