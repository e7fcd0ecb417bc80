package dev.ficus.toolkit.moduleschemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * Migrates every module's own schema with its own Flyway history.
 *
 * <p>Each folder {@code db/migration/<module>/} on the class path holds one module's migrations.
 * They run against schema {@code <module>} with the history table inside that schema, so modules
 * number their migrations independently and a module's schema can later move with it, history
 * and all, into an extracted service.
 */
public final class ModuleSchemas {

    /** A module (schema) name: a plain lower-case SQL identifier. */
    private static final Pattern MIGRATION_FOLDER = Pattern.compile("/db/migration/([a-z][a-z0-9_]*)/[^/]+$");

    private static final Logger log = LoggerFactory.getLogger(ModuleSchemas.class);

    private final List<String> modules;

    private ModuleSchemas(List<String> modules) {
        this.modules = modules;
    }

    /** Finds the modules that ship migrations on the class path. */
    public static ModuleSchemas discover(ClassLoader classLoader) {
        ResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(classLoader);
        Set<String> modules = new TreeSet<>();
        try {
            for (Resource migration : resolver.getResources("classpath*:db/migration/*/*.sql")) {
                Matcher matcher = MIGRATION_FOLDER.matcher(migration.getURL().toString());
                if (matcher.find()) {
                    modules.add(matcher.group(1));
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not list module migrations", e);
        }
        return new ModuleSchemas(List.copyOf(modules));
    }

    /** Module names, which are also their schema names, in alphabetical order. */
    public List<String> modules() {
        return modules;
    }

    /**
     * Migrates each module's schema using {@code template}'s connection and settings (everything
     * Spring Boot's {@code spring.flyway.*} configured) with the module's own location and schema.
     */
    public void migrate(Flyway template) {
        for (String module : modules) {
            var result = Flyway.configure(template.getConfiguration().getClassLoader())
                    .configuration(template.getConfiguration())
                    .schemas(module)
                    .defaultSchema(module)
                    .createSchemas(true)
                    .locations("classpath:db/migration/" + module)
                    .load()
                    .migrate();
            log.info("Schema {}: {} migration(s) applied, now at version {}", module,
                    result.migrationsExecuted, result.targetSchemaVersion);
        }
    }
}
