package dev.ficus.toolkit.moduleschemas;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the module schemas ({@code ficus.module-schemas.*}).
 *
 * @param enabled  run the application's own migrations first, then migrate each module folder
 *                 {@code db/migration/<module>/} into its own schema with its own history; false
 *                 leaves Spring Boot's single Flyway run over {@code spring.flyway.locations} as it is
 */
@ConfigurationProperties("ficus.module-schemas")
public record ModuleSchemasProperties(@DefaultValue("true") boolean enabled) {
}
