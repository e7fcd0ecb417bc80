package dev.ficus.toolkit.cache;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * How one cache's keys and entries are written in the second tier, as text.
 *
 * <p>A key is {@code <prefix>:{<stream>}:<cache>:<epoch>:<key as JSON>}; the braces keep a
 * stream's keys in one hash slot (its scripts touch two keys). An entry is one of:
 * <ul>
 * <li>{@code =<id>:<shape>:<value as JSON>}: a value; {@code shape} is a hash of the value
 * type's structure, so that an instance of another version, whose value type differs, reads a
 * miss rather than a value with missing or ignored fields;</li>
 * <li>{@code -<id>}: the source has no such value (negative caching);</li>
 * <li>{@code ~<id>:<time>}: a tombstone: the entry was invalidated (at that time, by Redis's
 * clock, in milliseconds); it reads as a miss.</li>
 * </ul>
 * Every write has a random {@code id}, so that no two writes leave the same text: a load writes
 * only if the entry is still exactly what it saw before reading the source.
 */
final class TierEntries<K, V> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String namespace;
    private final Class<K> keyType;
    private final Class<V> valueType;
    private final String shape;

    /** @param namespace the keys' start up to the cache's name: {@code <prefix>:{<stream>}:<cache>} */
    TierEntries(String namespace, Class<K> keyType, Class<V> valueType) {
        this.namespace = namespace;
        this.keyType = keyType;
        this.valueType = valueType;
        this.shape = String.format("%08x", describe(valueType, 0).hashCode());
    }

    Class<V> valueType() {
        return valueType;
    }

    String key(long epoch, K key) {
        return namespace + ":" + epoch + ":" + JSON.writeValueAsString(key);
    }

    /** Marks that an instance warmed the cache up from the source into this epoch's entries. */
    String warmMarker(long epoch) {
        return namespace + ":" + epoch + "#warm";
    }

    /** A {@code SCAN MATCH} pattern for the keys of this epoch's entries. */
    String pattern(long epoch) {
        return escapeGlob(namespace + ":" + epoch + ":") + "*";
    }

    /** The key a Redis key names, or empty if it names none of this cache's type. */
    Optional<K> keyOf(long epoch, String redisKey) {
        String start = namespace + ":" + epoch + ":";
        if (!redisKey.startsWith(start)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JSON.readValue(redisKey.substring(start.length()), keyType));
        }
        catch (JacksonException e) {
            return Optional.empty();
        }
    }

    String value(Optional<V> value) {
        if (value.isEmpty()) {
            return "-" + id();
        }
        return "=" + id() + ":" + shape + ":" + JSON.writeValueAsString(value.get());
    }

    /**
     * What an entry holds: a value, or a cached absence; null for a miss (no entry, a tombstone,
     * or a value of another shape).
     *
     * @throws JacksonException if the entry has this cache's shape but cannot be read as its type
     */
    Found<V> read(String entry) {
        if (entry == null || entry.isEmpty()) {
            return null;
        }
        if (entry.charAt(0) == '-') {
            return new Found<>(Optional.empty());
        }
        if (entry.charAt(0) != '=') {
            return null;
        }
        int afterId = entry.indexOf(':', 1);
        int afterShape = afterId < 0 ? -1 : entry.indexOf(':', afterId + 1);
        if (afterShape < 0 || !entry.regionMatches(afterId + 1, shape, 0, shape.length())
                || afterShape != afterId + 1 + shape.length()) {
            return null;
        }
        return new Found<>(Optional.ofNullable(JSON.readValue(entry.substring(afterShape + 1), valueType)));
    }

    /** A value or a cached absence, as found in the second tier. */
    record Found<V>(Optional<V> value) {
    }

    private static String id() {
        return String.format("%016x", ThreadLocalRandom.current().nextLong());
    }

    /**
     * The structure of a type: a record's components, by name and type, recursively; generic
     * arguments; else the type's name.
     */
    private static String describe(Type type, int depth) {
        if (type instanceof Class<?> recordType && recordType.isRecord() && depth < 8) {
            return recordType.getName() + Arrays.stream(recordType.getRecordComponents())
                    .map((RecordComponent component) -> component.getName() + " "
                            + describe(component.getGenericType(), depth + 1))
                    .collect(Collectors.joining(",", "(", ")"));
        }
        if (type instanceof ParameterizedType parameterized && depth < 8) {
            return describe(parameterized.getRawType(), depth + 1)
                    + Arrays.stream(parameterized.getActualTypeArguments())
                    .map(argument -> describe(argument, depth + 1))
                    .collect(Collectors.joining(",", "<", ">"));
        }
        return type.getTypeName();
    }

    private static String escapeGlob(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
