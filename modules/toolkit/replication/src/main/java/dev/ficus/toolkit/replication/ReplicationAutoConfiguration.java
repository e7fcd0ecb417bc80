package dev.ficus.toolkit.replication;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;

import dev.ficus.toolkit.cdc.PostgresDatabase;

/**
 * Replication into the application's database, when {@code ficus.replication.tables} names at
 * least one table, operated through the {@code replication} actuator endpoint.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
        afterName = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration")
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "ficus.replication.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "ficus.replication.tables[0].source")
@EnableConfigurationProperties(ReplicationProperties.class)
public class ReplicationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(Replication.class)
    DefaultReplication replication(ReplicationProperties properties,
            ObjectProvider<JdbcConnectionDetails> connection, DataSource dataSource,
            ObjectProvider<MeterRegistry> meters) {
        PostgresDatabase home = PostgresDatabase.of(connection.getIfAvailable(), dataSource);
        return new DefaultReplication(properties, home, dataSource,
                meters.getIfAvailable(() -> Metrics.globalRegistry));
    }

    @Bean
    @ConditionalOnMissingBean(name = "replicationHealthIndicator")
    ReplicationHealthIndicator replicationHealthIndicator(Replication replication,
            ReplicationProperties properties) {
        return new ReplicationHealthIndicator(replication, properties);
    }

    @Bean
    @ConditionalOnAvailableEndpoint
    @ConditionalOnMissingBean
    ReplicationEndpoint replicationEndpoint(Replication replication) {
        return new ReplicationEndpoint(replication);
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnMissingBean(name = "replicationProblems")
    ReplicationProblems replicationProblems() {
        return new ReplicationProblems();
    }
}
