package dev.ficus.toolkit.moduleschemas;

import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

import org.flywaydb.core.api.ClassProvider;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.scanner.Scanner;

/**
 * The migrations and callbacks Flyway would find for a configuration, less those in the module
 * folders {@code db/migration/<module>/} on the class path (SQL files and Java migrations in the
 * package {@code db.migration.<module>}), which {@link ModuleSchemas} runs on their own.
 *
 * <p>Flyway scans its locations recursively, so the application's {@code db/migration} location
 * also reaches into every module folder below it.
 */
final class WithoutModuleFolders implements ResourceProvider, ClassProvider<JavaMigration> {

    private final ResourceProvider resources;
    private final ClassProvider<JavaMigration> classes;
    private final List<String> folders;
    private final List<String> packages;

    private WithoutModuleFolders(ResourceProvider resources, ClassProvider<JavaMigration> classes,
            List<String> modules) {
        this.resources = resources;
        this.classes = classes;
        this.folders = modules.stream().map(module -> ModuleSchemas.FOLDER + module + "/").toList();
        this.packages = folders.stream().map(folder -> folder.replace('/', '.')).toList();
    }

    /**
     * Filters the providers {@code configuration} names; where it names none, Flyway's own scan of
     * the configured locations, as Flyway itself would do.
     */
    static WithoutModuleFolders of(Configuration configuration, List<String> modules) {
        ResourceProvider resources = configuration.getResourceProvider();
        ClassProvider<JavaMigration> classes = configuration.getJavaMigrationClassProvider();
        if (resources == null || classes == null) {
            Scanner<JavaMigration> scanner = new Scanner<>(JavaMigration.class, configuration,
                    configuration.getLocations());
            resources = resources == null ? scanner : resources;
            classes = classes == null ? scanner : classes;
        }
        return new WithoutModuleFolders(resources, classes, modules);
    }

    @Override
    public LoadableResource getResource(String name) {
        LoadableResource resource = resources.getResource(name);
        return resource == null || inModuleFolder(resource) ? null : resource;
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        return resources.getResources(prefix, suffixes).stream()
                .filter(resource -> !inModuleFolder(resource))
                .collect(Collectors.toList());
    }

    @Override
    public Collection<Class<? extends JavaMigration>> getClasses() {
        return classes.getClasses().stream()
                .filter(type -> packages.stream().noneMatch(type.getName()::startsWith))
                .collect(Collectors.toList());
    }

    private boolean inModuleFolder(LoadableResource resource) {
        String path = resource.getAbsolutePath().replace('\\', '/');
        return folders.stream().anyMatch(path::startsWith);
    }
}
