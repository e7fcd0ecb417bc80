package dev.ficus.toolkit.cache;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.ConversionException;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.DefaultConversionService;

/** Turns the key columns of a changed row into a cache key of the cache's key type. */
final class CacheKeys {

    private static final ConversionService CONVERSIONS = DefaultConversionService.getSharedInstance();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CacheKeys() {
    }

    /**
     * A value as the given type: Spring's conversions first; else as JSON would read it (an ISO
     * date or instant sent as text by the eviction channel, say).
     */
    private static Object convert(Object value, Class<?> type) {
        if (value == null || type.isInstance(value)) {
            return value;
        }
        if (CONVERSIONS.canConvert(value.getClass(), type)) {
            try {
                return CONVERSIONS.convert(value, type);
            }
            catch (ConversionException notThisWay) {
                // read as JSON would, below
            }
        }
        return JSON.convertValue(value, type);
    }

    /**
     * The columns of a key, as {@link #keyOf} reads them back: a record's components by name and
     * in order, any other key as the one column {@code key}.
     */
    static Map<String, Object> columnsOf(Object key) {
        if (!key.getClass().isRecord()) {
            return Map.of("key", key);
        }
        Map<String, Object> columns = new LinkedHashMap<>();
        for (RecordComponent component : key.getClass().getRecordComponents()) {
            try {
                Method accessor = component.getAccessor();
                accessor.setAccessible(true);
                columns.put(component.getName(), accessor.invoke(key));
            }
            catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Cannot read " + component.getName() + " of " + key, e);
            }
        }
        return columns;
    }

    /** The key, or null when the row lacks one of the columns (for example a key-only before image). */
    static Object keyOf(Map<String, Object> row, List<String> columns, Class<?> keyType) {
        if (row == null || !row.keySet().containsAll(columns)) {
            return null;
        }
        if (columns.size() == 1 && !keyType.isRecord()) {
            return convert(row.get(columns.get(0)), keyType);
        }
        if (!keyType.isRecord() || keyType.getRecordComponents().length != columns.size()) {
            throw new IllegalStateException("A key of " + columns.size() + " columns needs a record key type with as "
                    + "many components, not " + keyType.getName());
        }
        RecordComponent[] components = keyType.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = convert(row.get(columns.get(i)), types[i]);
        }
        try {
            var constructor = keyType.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(values);
        }
        catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot build a " + keyType.getName() + " from " + columns, e);
        }
    }
}
