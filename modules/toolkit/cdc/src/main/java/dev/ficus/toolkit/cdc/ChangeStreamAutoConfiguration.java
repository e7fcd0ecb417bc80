package dev.ficus.toolkit.cdc;

import java.util.List;

import javax.sql.DataSource;

import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A change stream for the application's PostgreSQL database, capturing the tables that
 * {@link ChangeSubscription} beans (and {@code ficus.cdc.tables}) name.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
        afterName = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration")
@ConditionalOnClass(DebeziumEngine.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnProperty(prefix = "ficus.cdc", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ChangeStreamProperties.class)
public class ChangeStreamAutoConfiguration {

    @Bean
    JdbcDeadLetters changeStreamDeadLetters(DataSource dataSource, ChangeStreamProperties properties,
            List<ChangeSubscription> subscriptions) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        StreamTables.ensure(jdbc, properties.schema());
        return new JdbcDeadLetters(jdbc, properties, subscriptions);
    }

    @Bean
    DebeziumChangeStream changeStream(ChangeStreamProperties properties, JdbcConnectionDetails connection,
            List<ChangeSubscription> subscriptions, JdbcDeadLetters deadLetters,
            ObjectProvider<MeterRegistry> meterRegistry) {
        MeterRegistry meters = meterRegistry.getIfAvailable(() -> Metrics.globalRegistry);
        Gauge.builder("ficus.cdc.dead.letters", deadLetters, JdbcDeadLetters::pendingCount)
                .description("Changes a subscriber failed to handle, waiting for a replay")
                .tag("stream", properties.name())
                .register(meters);
        PostgresTarget target = PostgresTarget.fromJdbcUrl(connection.getJdbcUrl(), connection.getUsername(),
                connection.getPassword());
        return new DebeziumChangeStream(properties, target,
                new ChangeDispatcher(properties, subscriptions, deadLetters, meters));
    }

    @Bean
    ChangeStreamHealthIndicator changeStreamHealthIndicator(ChangeStream changeStream, JdbcDeadLetters deadLetters) {
        return new ChangeStreamHealthIndicator(changeStream, deadLetters);
    }

    @Bean
    @ConditionalOnAvailableEndpoint
    DeadLettersEndpoint deadLettersEndpoint(DeadLetters deadLetters) {
        return new DeadLettersEndpoint(deadLetters);
    }
}
