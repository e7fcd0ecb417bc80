package dev.ficus.toolkit.moduleschemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * Runs the application's own migrations, then migrates every module's own schema with its own
 * Flyway history.
 *
 * <p>Each folder {@code db/migration/<module>/} on the class path holds one module's migrations.
 * They run against schema {@code <module>} with the history table inside that schema, so modules
 * number their migrations independently and a module's schema can later move with it, history
 * and all, into an extracted service.
 *
 * <p>Everything else Spring Boot's Flyway finds in its locations ({@code spring.flyway.locations},
 * by default {@code db/migration/V1__x.sql} and the like) belongs to the application itself and
 * runs first, exactly as Spring Boot would run it: same schema, same history table, same settings.
 */
public final class ModuleSchemas {

    /** Where modules' migration folders are, on the class path. */
    static final String FOLDER = "db/migration/";

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
            for (Resource migration : resolver.getResources("classpath*:" + FOLDER + "*/*.sql")) {
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
     * Migrates with {@code template}, the Flyway Spring Boot configured from {@code spring.flyway.*}.
     *
     * <p>Without module folders, {@code template} migrates as it is. Otherwise the migrations it
     * finds outside the module folders run first with {@code template}'s schema, history table and
     * every other setting; they are left out when there are none, applied or pending, so that an
     * application made of modules only gets no empty history table. Then each module's migrations
     * run against the module's schema, with its own history there and otherwise the same settings.
     */
    public void migrate(Flyway template) {
        if (modules.isEmpty()) {
            template.migrate();
            return;
        }
        Configuration configuration = template.getConfiguration();
        WithoutModuleFolders own = WithoutModuleFolders.of(configuration, modules);
        Flyway application = Flyway.configure(configuration.getClassLoader())
                .configuration(configuration)
                .resourceProvider(own)
                .javaMigrationClassProvider(own)
                .load();
        if (application.info().all().length > 0) {
            log(application.migrate(), "The application's own migrations");
        }
        for (String module : modules) {
            MigrateResult result = Flyway.configure(configuration.getClassLoader())
                    .configuration(configuration)
                    .schemas(module)
                    .defaultSchema(module)
                    .createSchemas(true)
                    .locations("classpath:" + FOLDER + module)
                    .load()
                    .migrate();
            log(result, "Schema " + module);
        }
    }

    private static void log(MigrateResult result, String what) {
        if (result.migrationsExecuted == 0) {
            log.info("{}: up to date", what);
        }
        else {
            log.info("{}: {} migration(s) applied, now at version {}", what, result.migrationsExecuted,
                    result.targetSchemaVersion);
        }
    }
}
