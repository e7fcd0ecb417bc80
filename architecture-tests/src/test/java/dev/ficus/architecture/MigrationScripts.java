package dev.ficus.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The SQL migrations on the class path, one folder per schema: {@code <root>/<schema>/*.sql}, the
 * layout the toolkit's module-schemas migrates.
 */
final class MigrationScripts {

    private static final Pattern SCHEMA_FOLDER = Pattern.compile("/([^/]+)/[^/]+\\.sql$");

    private final Map<String, List<Resource>> scriptsBySchema;

    private MigrationScripts(Map<String, List<Resource>> scriptsBySchema) {
        this.scriptsBySchema = scriptsBySchema;
    }

    /** All scripts in {@code <root>/<schema>/} folders, in every jar and folder of the class path. */
    static MigrationScripts under(String root) {
        Map<String, List<Resource>> scriptsBySchema = new TreeMap<>();
        try {
            for (Resource script : new PathMatchingResourcePatternResolver().getResources("classpath*:" + root + "/*/*.sql")) {
                Matcher folder = SCHEMA_FOLDER.matcher(script.getURL().toString());
                if (folder.find()) {
                    scriptsBySchema.computeIfAbsent(folder.group(1), schema -> new ArrayList<>()).add(script);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not list the migrations under " + root, e);
        }
        return new MigrationScripts(scriptsBySchema);
    }

    Set<String> schemas() {
        return scriptsBySchema.keySet();
    }

    /**
     * One line per script that names a table of one of {@code moduleSchemas} other than the
     * schema its folder migrates.
     */
    List<String> foreignSchemaReferences(Set<String> moduleSchemas) {
        List<String> violations = new ArrayList<>();
        scriptsBySchema.forEach((schema, scripts) -> {
            Set<String> foreign = new TreeSet<>(moduleSchemas);
            foreign.remove(schema);
            SchemaReferences references = SchemaReferences.to(foreign);
            for (Resource script : scripts) {
                List<String> found = references.findIn(read(script));
                if (!found.isEmpty()) {
                    violations.add("Migration %s/%s of schema %s mentions %s".formatted(schema,
                            script.getFilename(), schema, String.join(", ", found)));
                }
            }
        });
        return violations;
    }

    private static String read(Resource script) {
        try {
            return script.getContentAsString(StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not read " + script, e);
        }
    }
}
