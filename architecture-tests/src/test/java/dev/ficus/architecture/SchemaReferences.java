package dev.ficus.architecture;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds schema-qualified names such as {@code catalog.products} or {@code "orders"."orders"} of
 * the given schemas in SQL or any other text.
 */
final class SchemaReferences {

    private final Pattern qualifiedName;

    private SchemaReferences(Pattern qualifiedName) {
        this.qualifiedName = qualifiedName;
    }

    static SchemaReferences to(Collection<String> schemas) {
        if (schemas.isEmpty()) {
            return new SchemaReferences(null);
        }
        String alternatives = schemas.stream().map(Pattern::quote).collect(Collectors.joining("|"));
        // Not preceded by a letter, dot, slash, @, : or -, so that property keys (ficus.catalog.x),
        // package names (dev.ficus.shop.catalog.X), URLs and e-mail addresses do not count.
        return new SchemaReferences(Pattern.compile(
                "(?<![\\w.$/@:\\-\"])\"?(" + alternatives + ")\"?\\.\"?([A-Za-z_][\\w$]*)",
                Pattern.CASE_INSENSITIVE));
    }

    /** The references found, normalised to {@code schema.name} in lower case. */
    List<String> findIn(String text) {
        if (qualifiedName == null) {
            return List.of();
        }
        return qualifiedName.matcher(text).results()
                .map(match -> (match.group(1) + "." + match.group(2)).toLowerCase(Locale.ROOT))
                .distinct()
                .toList();
    }
}
