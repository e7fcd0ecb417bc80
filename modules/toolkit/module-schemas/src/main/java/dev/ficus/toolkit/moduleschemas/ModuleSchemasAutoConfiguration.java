package dev.ficus.toolkit.moduleschemas;

import org.flywaydb.core.Flyway;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * Replaces Spring Boot's single Flyway run with a run of the application's own migrations followed
 * by one run per module schema. Spring Boot still decides when migrations run (before anything
 * that uses the database), and {@code spring.flyway.*} settings still apply to every run.
 *
 * <p>Off with {@code ficus.module-schemas.enabled=false}, and when Spring Modulith's own per-module
 * Flyway runs are turned on ({@code spring.modulith.runtime.flyway-enabled=true}), which lay
 * modules out differently: one schema, one history table per module.
 */
@AutoConfiguration(before = FlywayAutoConfiguration.class)
@ConditionalOnClass(Flyway.class)
@ConditionalOnBooleanProperty(name = "ficus.module-schemas.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "spring.modulith.runtime.flyway-enabled", havingValue = false,
        matchIfMissing = true)
@EnableConfigurationProperties(ModuleSchemasProperties.class)
public class ModuleSchemasAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ModuleSchemas moduleSchemas(ResourceLoader resourceLoader) {
        return ModuleSchemas.discover(resourceLoader.getClassLoader());
    }

    @Bean
    @ConditionalOnMissingBean
    FlywayMigrationStrategy moduleSchemasMigrationStrategy(ModuleSchemas moduleSchemas) {
        return moduleSchemas::migrate;
    }
}
