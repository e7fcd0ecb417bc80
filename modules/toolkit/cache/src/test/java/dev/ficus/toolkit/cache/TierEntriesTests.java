package dev.ficus.toolkit.cache;

import java.math.BigDecimal;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class TierEntriesTests {

    record Price(BigDecimal amount, String currency) {
    }

    record Product(UUID id, String name, Price price, List<String> tags, Instant updatedAt) {
    }

    /** The same name, one component more: what another version of the application may hold. */
    record ProductV2(UUID id, String name, Price price, List<String> tags, Instant updatedAt, boolean active) {
    }

    record Pair(int left, String right) {
    }


    private final TierEntries<Pair, Product> entries = new TierEntries<>("ficus:cache:{shop}:products", Pair.class,
            Product.class);

    @Test
    void aValueIsReadBackAsItsTypeExactly() {
        Product product = new Product(UUID.randomUUID(), "lamp", new Price(new BigDecimal("19.90"), "EUR"),
                List.of("light", "desk"), Instant.parse("2026-11-27T12:00:00.123456Z"));

        String entry = entries.value(Optional.of(product));

        assertThat(entry).startsWith("=");
        assertThat(entries.read(entry).value()).contains(product);
    }

    @Test
    void absenceIsAnEntryAndATombstoneOrNothingIsAMiss() {
        assertThat(entries.read(entries.value(Optional.empty())).value()).isEmpty();
        assertThat(entries.read("~0123456789abcdef:1764244800000")).isNull();
        assertThat(entries.read(null)).isNull();
        assertThat(entries.read("something else")).isNull();
    }

    @Test
    void everyWriteIsDistinctSoThatAWriteCanTellWhetherTheEntryChanged() {
        Product product = new Product(UUID.randomUUID(), "lamp", null, List.of(), null);

        assertThat(entries.value(Optional.of(product))).isNotEqualTo(entries.value(Optional.of(product)));
        assertThat(entries.value(Optional.empty())).isNotEqualTo(entries.value(Optional.empty()));
    }

    /** An instance of another version, whose value type has another shape, reads a miss, not a half-filled value. */
    @Test
    void aValueOfAnotherShapeIsAMiss() {
        var newer = new TierEntries<>("ficus:cache:{shop}:products", Pair.class, ProductV2.class);
        String written = newer.value(Optional.of(new ProductV2(UUID.randomUUID(), "lamp", null, List.of(), null, true)));

        assertThat(entries.read(written)).isNull();
    }

    /**
     * Two versions of the same classes: one field more, in a class that is not a record, is another
     * shape too, also as a record's component (Jackson would read the missing field as null).
     */
    @Test
    void aClassOfTheSameNameWithAnotherFieldIsAnotherShape(@TempDir Path directory) throws Exception {
        String box = "package shop; public record Box(String name, Size size) {}";
        Class<?> before = version(directory.resolve("before"), "shop.Box", box,
                "package shop; public class Size { public int width; public int height; }");
        Class<?> after = version(directory.resolve("after"), "shop.Box", box,
                "package shop; public class Size { public int width; public int height; public int depth; }");
        Class<?> same = version(directory.resolve("same"), "shop.Box", box,
                "package shop; public class Size { public int height; public int width; }");

        assertThat(before.getName()).isEqualTo(after.getName());
        assertThat(TierEntries.shapeOf(after)).isNotEqualTo(TierEntries.shapeOf(before));
        assertThat(TierEntries.shapeOf(after.getRecordComponents()[1].getType()))
                .isNotEqualTo(TierEntries.shapeOf(before.getRecordComponents()[1].getType()));
        assertThat(TierEntries.shapeOf(same)).as("fields in another order").isEqualTo(TierEntries.shapeOf(before));
        assertThat(TierEntries.shapeOf(Long.class)).isNotEqualTo(TierEntries.shapeOf(String.class));
        assertThat(TierEntries.shapeOf(int[].class)).isNotEqualTo(TierEntries.shapeOf(long[].class));
    }

    /** Compiles the sources into a directory of their own, and loads {@code name} from there. */
    private static Class<?> version(Path directory, String name, String... sources) throws Exception {
        Files.createDirectories(directory);
        List<Path> files = new ArrayList<>();
        for (String source : sources) {
            String type = source.replaceFirst("(?s).*public (?:record|class) (\\w+).*", "$1");
            Path file = directory.resolve(type + ".java");
            Files.writeString(file, source);
            files.add(file);
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> arguments = new ArrayList<>(List.of("-d", directory.toString()));
        files.forEach(file -> arguments.add(file.toString()));
        assertThat(compiler.run(null, null, null, arguments.toArray(String[]::new))).isZero();
        URLClassLoader loader = new URLClassLoader(new URL[] {directory.toUri().toURL()}, null);
        return Class.forName(name, true, loader);
    }

    @Test
    void keysAreJsonAndReadBackFromTheirRedisKey() {
        String key = entries.key(7, new Pair(1, "a:b*"));

        assertThat(key).isEqualTo("ficus:cache:{shop}:products:7:{\"left\":1,\"right\":\"a:b*\"}");
        assertThat(entries.keyOf(7, key)).contains(new Pair(1, "a:b*"));
        assertThat(entries.keyOf(8, key)).as("another epoch's").isEmpty();
        assertThat(entries.pattern(7)).isEqualTo("ficus:cache:{shop}:products:7:*");
        assertThat(new TierEntries<>("p:{s}:odd*name?", Long.class, String.class).pattern(1))
                .isEqualTo("p:{s}:odd\\*name\\?:1:*");
    }
}
