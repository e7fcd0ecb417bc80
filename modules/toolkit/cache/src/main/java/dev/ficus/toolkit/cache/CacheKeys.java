package dev.ficus.toolkit.cache;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.DefaultConversionService;

/** Turns the key columns of a changed row into a cache key of the cache's key type. */
final class CacheKeys {

    private static final ConversionService CONVERSIONS = DefaultConversionService.getSharedInstance();

    private CacheKeys() {
    }

    /** The key, or null when the row lacks one of the columns (for example a key-only before image). */
    static Object keyOf(Map<String, Object> row, List<String> columns, Class<?> keyType) {
        if (row == null || !row.keySet().containsAll(columns)) {
            return null;
        }
        if (columns.size() == 1) {
            return CONVERSIONS.convert(row.get(columns.getFirst()), keyType);
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
            values[i] = CONVERSIONS.convert(row.get(columns.get(i)), types[i]);
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
