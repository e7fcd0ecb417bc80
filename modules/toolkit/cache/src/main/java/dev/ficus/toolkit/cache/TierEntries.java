package dev.ficus.toolkit.cache;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * How one cache's keys and entries are written in the second tier, as text.
 *
 * <p>A key is {@code <prefix>:{<stream>@<database>}:<cache>:<epoch>:<key as JSON>}; the braces
 * keep a namespace's keys in one hash slot (its scripts touch two keys). An entry is one of:
 * <ul>
 * <li>{@code =<id>:<shape>:<value as JSON>}: a value; {@code shape} is a hash of the value
 * type's structure (see {@link #shapeOf}), so that an instance of another version, whose value
 * type differs, reads a miss rather than a value with missing or ignored fields;</li>
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

    /** @param namespace the keys' start up to the epoch: {@code <prefix>:{<stream>@<database>}:<cache>} */
    TierEntries(String namespace, Class<K> keyType, Class<V> valueType) {
        this.namespace = namespace;
        this.keyType = keyType;
        this.valueType = valueType;
        this.shape = shapeOf(valueType);
    }

    /**
     * A hash of a type's structure, as its JSON depends on it: a record's components, by name and
     * type; the fields of any other class of the application (not of the JDK), by name and type,
     * its superclasses' included; generic arguments and array elements; recursively, each type
     * once. Types of the JDK, and enums, count by name.
     */
    static String shapeOf(Type type) {
        return String.format("%08x", describe(type, 0, new HashSet<>()).hashCode());
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

    /** The structure of a type; a type met before in {@code described} counts by name. */
    private static String describe(Type type, int depth, Set<Type> described) {
        if (depth >= 8) {
            return type.getTypeName();
        }
        if (type instanceof ParameterizedType parameterized) {
            StringBuilder structure = new StringBuilder(describe(parameterized.getRawType(), depth + 1, described));
            structure.append('<');
            for (Type argument : parameterized.getActualTypeArguments()) {
                structure.append(describe(argument, depth + 1, described)).append(',');
            }
            return structure.append('>').toString();
        }
        if (type instanceof GenericArrayType array) {
            return describe(array.getGenericComponentType(), depth + 1, described) + "[]";
        }
        if (!(type instanceof Class<?> plain)) {
            return type.getTypeName();
        }
        if (plain.isArray()) {
            return describe(plain.getComponentType(), depth + 1, described) + "[]";
        }
        if (plain.isPrimitive() || plain.isEnum() || plain.isInterface() || ofTheJdk(plain) || !described.add(plain)) {
            return plain.getName();
        }
        StringBuilder structure = new StringBuilder(plain.getName()).append('(');
        if (plain.isRecord()) {
            for (RecordComponent component : plain.getRecordComponents()) {
                structure.append(component.getName()).append(' ')
                        .append(describe(component.getGenericType(), depth + 1, described)).append(',');
            }
        }
        else {
            List<Field> fields = new ArrayList<>();
            for (Class<?> declaring = plain; declaring != null && !ofTheJdk(declaring);
                    declaring = declaring.getSuperclass()) {
                for (Field field : declaring.getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers()) && !Modifier.isTransient(field.getModifiers())
                            && !field.isSynthetic()) {
                        fields.add(field);
                    }
                }
            }
            fields.sort(Comparator.comparing(Field::getName).thenComparing(field -> field.getDeclaringClass().getName()));
            for (Field field : fields) {
                structure.append(field.getName()).append(' ')
                        .append(describe(field.getGenericType(), depth + 1, described)).append(',');
            }
        }
        return structure.append(')').toString();
    }

    private static boolean ofTheJdk(Class<?> type) {
        String name = type.getName();
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.");
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
