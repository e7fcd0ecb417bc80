package dev.ficus.architecture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/configuration-properties.md} is generated from the configuration metadata the
 * toolkit's jars carry, and must match it: a setting added, removed or described anew without
 * the reference following fails the build. {@code -Dficus.docs.write=true} writes it afresh.
 */
class ConfigurationReferenceTest {

    private static final Path REFERENCE = Path.of("..", "docs", "configuration-properties.md");

    @Test
    void theReferenceListsEveryFicusSettingAsTheMetadataDescribesIt() throws IOException {
        String expected = render(ficusProperties());
        if (Boolean.getBoolean("ficus.docs.write")) {
            Files.writeString(REFERENCE, expected);
        }
        assertThat(Files.exists(REFERENCE)).as(REFERENCE + " exists").isTrue();
        assertThat(Files.readString(REFERENCE))
                .as("%s is out of date; write it afresh with: mvn -pl architecture-tests test "
                        + "-Dtest=ConfigurationReferenceTest -Dficus.docs.write=true", REFERENCE)
                .isEqualTo(expected);
    }

    /** Every {@code ficus.*} property of every metadata file on the class path, by name. */
    private static Map<String, JsonNode> ficusProperties() throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        Map<String, JsonNode> properties = new TreeMap<>();
        for (Resource metadata : new PathMatchingResourcePatternResolver()
                .getResources("classpath*:META-INF/spring-configuration-metadata.json")) {
            try (InputStream in = metadata.getInputStream()) {
                JsonNode root = json.readTree(in);
                for (JsonNode property : root.path("properties")) {
                    String name = property.path("name").asString();
                    if (name.startsWith("ficus.")) {
                        properties.put(name, property);
                    }
                }
            }
        }
        assertThat(properties).as("ficus.* settings in the configuration metadata").isNotEmpty();
        return properties;
    }

    private static String render(Map<String, JsonNode> properties) {
        StringBuilder out = new StringBuilder("""
                # Configuration properties

                Every `ficus.*` setting, its default and what it does. Generated from the configuration
                metadata of the toolkit's jars (which also gives IDE completion); a build check keeps it so.

                """);
        String group = null;
        for (Map.Entry<String, JsonNode> entry : properties.entrySet()) {
            String name = entry.getKey();
            String prefix = name.substring(0, name.indexOf('.', "ficus.".length()));
            if (!prefix.equals(group)) {
                group = prefix;
                out.append("\n## `").append(prefix).append("`\n\n| property | default | description |\n| --- | --- | --- |\n");
            }
            JsonNode property = entry.getValue();
            String defaultValue = !property.has("defaultValue") ? ""
                    : text(property.get("defaultValue")).isEmpty() ? "`\"\"`"
                    : "`" + text(property.get("defaultValue")) + "`";
            out.append("| `").append(name).append("` | ").append(defaultValue).append(" | ")
                    .append(cell(property.path("description").asString(""))).append(" |\n");
        }
        return out.toString();
    }

    private static String text(JsonNode value) {
        return value.isArray() || value.isObject() ? value.toString() : value.asString();
    }

    private static String cell(String text) {
        return text.replaceAll("\\{@code ([^}]*)}", "`$1`").replace("|", "\\|").replaceAll("\\s+", " ").trim();
    }
}
