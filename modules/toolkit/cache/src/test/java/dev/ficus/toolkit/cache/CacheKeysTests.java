package dev.ficus.toolkit.cache;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** A key sent over the eviction channel (as JSON) comes back as the same key, whatever its type. */
class CacheKeysTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    record OwnerId(long value) {
    }

    record Slot(LocalDate day, int hour) {
    }

    @Test
    void keysSurviveTheEvictionChannel() {
        for (Object key : List.of(42L, "SKU-1", UUID.randomUUID(), LocalDate.of(2026, 11, 27), new OwnerId(7),
                new Slot(LocalDate.of(2026, 1, 2), 9))) {
            assertThat(CacheKeys.keyOf(sent(CacheKeys.columnsOf(key)), List.copyOf(sent(CacheKeys.columnsOf(key))
                    .keySet()), key.getClass())).as("%s", key.getClass().getSimpleName()).isEqualTo(key);
        }
    }

    private static Map<String, Object> sent(Map<String, Object> columns) {
        return JSON.readValue(JSON.writeValueAsString(columns), new TypeReference<Map<String, Object>>() { });
    }
}
