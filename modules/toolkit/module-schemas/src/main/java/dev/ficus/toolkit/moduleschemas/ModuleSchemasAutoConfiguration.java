package dev.ficus.toolkit.moduleschemas;

import org.flywaydb.core.Flyway;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * Replaces Spring Boot's single Flyway run with one run per module schema. Spring Boot still
 * decides when migrations run (before anything that uses the database), and {@code spring.flyway.*}
 * settings still apply to every module.
 */
@AutoConfiguration(before = FlywayAutoConfiguration.class)
@ConditionalOnClass(Flyway.class)
public class ModuleSchemasAutoConfiguration {

    @Bean
    ModuleSchemas moduleSchemas(ResourceLoader resourceLoader) {
        return ModuleSchemas.discover(resourceLoader.getClassLoader());
    }

    @Bean
    @ConditionalOnMissingBean
    FlywayMigrationStrategy moduleSchemasMigrationStrategy(ModuleSchemas moduleSchemas) {
        return moduleSchemas::migrate;
    }
}
