package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CaffeineCachesTests {

    static final CacheProperties.SecondTier SECOND_TIER_OFF = new CacheProperties.SecondTier(false,
            Duration.ofMillis(200), Duration.ofSeconds(5), "ficus:cache");

    @Test
    void aConfiguredNameNoCodeCreatesIsFound() {
        var spec = new CacheProperties.Spec(true, 100, Duration.ofMinutes(10), 0.1, Duration.ZERO, Duration.ZERO, false,
                List.of(new CacheProperties.Invalidation("shop.products", List.of("id"), null)), true, null);
        var settings = new CacheProperties(Map.of("products", spec, "prodcuts-by-sku", spec), Duration.ofSeconds(5),
                new CacheProperties.EvictionChannel(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(10)), SECOND_TIER_OFF);
        CaffeineCaches caches = new CaffeineCaches(settings, new SimpleMeterRegistry(), Runnable::run, null);
        caches.cacheAside("products", Long.class, id -> Optional.of("product " + id));
        caches.cacheAside("products-by-sku", String.class, sku -> Optional.of("product " + sku));

        assertThat(caches.configuredButNotCreated()).containsExactly("prodcuts-by-sku");
    }

    /**
     * A cache has a second tier only if change data capture invalidates it, it did not opt out,
     * and the type of its values is known, from the code or from the settings (which must agree).
     */
    @Test
    void onlyCachesInvalidatedByChangesWithAKnownValueTypeHaveASecondTier() {
        List<CacheProperties.Invalidation> byChanges = List.of(new CacheProperties.Invalidation("shop.things",
                List.of("id"), null));
        var untyped = spec(byChanges, true, null);
        var typed = spec(byChanges, true, String.class);
        var settings = new CacheProperties(Map.of("typed-in-code", untyped, "typed-in-settings", typed,
                "untyped", untyped, "opted-out", spec(byChanges, false, String.class),
                "not-invalidated", spec(List.of(), true, String.class), "disagreeing", typed),
                Duration.ofSeconds(5), new CacheProperties.EvictionChannel(Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(2), Duration.ofSeconds(10)), SECOND_TIER_OFF);
        List<String> tiers = new ArrayList<>();
        CaffeineCaches caches = new CaffeineCaches(settings, new SimpleMeterRegistry(), Runnable::run, null,
                new RecordingTier(tiers));

        caches.cacheAside("typed-in-code", Long.class, String.class, id -> Optional.of("thing " + id), null);
        caches.cacheAside("typed-in-settings", Long.class, id -> Optional.of("thing " + id));
        caches.cacheAside("untyped", Long.class, id -> Optional.of("thing " + id));
        caches.cacheAside("opted-out", Long.class, id -> Optional.of("thing " + id));
        caches.cacheAside("not-invalidated", Long.class, id -> Optional.of("thing " + id));

        assertThat(tiers).containsExactly("typed-in-code as String", "typed-in-settings as String");
        assertThatIllegalArgumentException().isThrownBy(() -> caches.cacheAside("disagreeing", Long.class, Long.class,
                id -> Optional.of(id), null)).withMessageContaining("value-type");
    }

    private static CacheProperties.Spec spec(List<CacheProperties.Invalidation> invalidatedBy, boolean secondTier,
            Class<?> valueType) {
        return new CacheProperties.Spec(true, 100, Duration.ofMinutes(10), 0.1, Duration.ZERO, Duration.ZERO, false,
                invalidatedBy, secondTier, valueType);
    }

    /** A second tier that only notes which caches it was asked to keep. */
    private record RecordingTier(List<String> tiers) implements SharedTier {

        @Override
        public <K, V> ForCache<K, V> forCache(String name, Class<K> keyType, Class<V> valueType,
                CacheProperties.Spec spec) {
            tiers.add(name + " as " + valueType.getSimpleName());
            return ForCache.none();
        }

        @Override
        public void invalidate(List<Stale> stale, Consumer<Epoch> then) {
            then.accept(null);
        }

        @Override
        public void announce(BiConsumer<Epoch, List<String>> send) {
            send.accept(null, List.of());
        }

        @Override
        public Map<String, Object> state() {
            return Map.of();
        }
    }
}
