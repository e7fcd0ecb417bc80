package dev.ficus.toolkit.cdc;

import java.util.List;

import javax.sql.DataSource;

import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;

/**
 * A change stream for the application's PostgreSQL database, capturing the tables that
 * {@link ChangeSubscription} beans (and {@code ficus.cdc.tables}) name. Off with
 * {@code ficus.cdc.enabled=false}, and for a database that is not PostgreSQL.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
        afterName = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration")
@ConditionalOnClass(DebeziumEngine.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnChangeDataCapture
@EnableConfigurationProperties(ChangeStreamProperties.class)
public class ChangeStreamAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ManagedChangeStream changeStream(ChangeStreamProperties properties,
            ObjectProvider<JdbcConnectionDetails> connection, DataSource dataSource,
            List<ChangeSubscription> subscriptions, ObjectProvider<MeterRegistry> meterRegistry) {
        PostgresDatabase database = PostgresDatabase.of(connection.getIfAvailable(), dataSource);
        return ChangeStreams.create(properties, database, database, dataSource, subscriptions,
                meterRegistry.getIfAvailable(() -> Metrics.globalRegistry));
    }

    @Bean
    @ConditionalOnMissingBean
    DeadLetters changeStreamDeadLetters(ManagedChangeStream changeStream) {
        return changeStream.deadLetters();
    }

    @Bean
    @ConditionalOnMissingBean
    ChangeStreamHealthIndicator changeStreamHealthIndicator(ManagedChangeStream changeStream,
            ChangeStreamProperties properties) {
        return new ChangeStreamHealthIndicator(changeStream, properties.retainedWalThreshold());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    DeadLettersEndpoint deadLettersEndpoint(DeadLetters deadLetters) {
        return new DeadLettersEndpoint(deadLetters);
    }
}
