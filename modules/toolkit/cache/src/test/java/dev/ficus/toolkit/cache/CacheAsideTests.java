package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CacheAsideTests {

    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    @Test
    void concurrentMissesOnOneKeyLoadItOnce() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CaffeineCacheAside<String, String> cache = cache(spec(TEN_MINUTES, 0.1, Duration.ZERO, Duration.ZERO), key -> {
            loads.incrementAndGet();
            slowLoad(Duration.ofMillis(200));
            return Optional.of("value of " + key);
        });
        CountDownLatch start = new CountDownLatch(1);

        try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
            var answers = IntStream.range(0, 200)
                    .mapToObj(i -> callers.submit(() -> {
                        start.await();
                        return cache.get("hot");
                    }))
                    .toList();
            start.countDown();
            for (var answer : answers) {
                assertThat(answer.get(10, TimeUnit.SECONDS)).contains("value of hot");
            }
        }
        assertThat(loads).hasValue(1);
    }

    @Test
    void jitterSpreadsExpiryTimesWithinTheConfiguredShare() {
        CaffeineCacheAside<Long, Long> cache = cache(spec(TEN_MINUTES, 0.2, Duration.ZERO, Duration.ZERO), Optional::of);
        LongStream.range(0, 1_000).forEach(cache::get);

        var expiry = cache.caffeine().policy().expireVariably().orElseThrow();
        List<Long> seconds = LongStream.range(0, 1_000)
                .mapToObj(key -> expiry.getExpiresAfter(key, TimeUnit.SECONDS).orElseThrow())
                .toList();

        assertThat(seconds).allSatisfy(ttl -> assertThat(ttl).isBetween(479L, 720L));
        assertThat(seconds.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(500);
        assertThat(seconds.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(700);
        assertThat(seconds.stream().distinct().count()).as("not a handful of values").isGreaterThan(100);
    }

    @Test
    void refreshAheadServesTheCurrentValueWhileOneReloadRuns() throws Exception {
        AtomicReference<String> source = new AtomicReference<>("v1");
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch reloadMayFinish = new CountDownLatch(1);
        AtomicLong nanos = new AtomicLong();
        CaffeineCacheAside<String, String> cache = new CaffeineCacheAside<>("test", String.class,
                spec(TEN_MINUTES, 0, Duration.ofMinutes(1), Duration.ZERO), key -> {
                    if (loads.incrementAndGet() > 1) {
                        awaitLatch(reloadMayFinish);
                    }
                    return Optional.of(source.get());
                }, null, Executors.newVirtualThreadPerTaskExecutor(), nanos::get, () -> true, new SimpleMeterRegistry());
        assertThat(cache.get("k")).contains("v1");
        source.set("v2");
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());

        assertThat(cache.get("k")).as("served while the reload starts").contains("v1");
        // The reload runs on another thread: it has begun once it has called the source.
        await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() == 2);
        for (int i = 0; i < 50; i++) {
            assertThat(cache.get("k")).as("served while the reload runs").contains("v1");
        }
        assertThat(loads).as("one reload, however many reads").hasValue(2);
        reloadMayFinish.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> cache.get("k").equals(Optional.of("v2")));
    }

    @Test
    void absenceIsCachedOnlyWithANegativeTtl() {
        AtomicInteger loads = new AtomicInteger();
        Function<String, Optional<String>> nothing = key -> {
            loads.incrementAndGet();
            return Optional.empty();
        };
        CaffeineCacheAside<String, String> negative = cache(spec(TEN_MINUTES, 0, Duration.ZERO, Duration.ofMinutes(1)), nothing);
        negative.get("ghost");
        negative.get("ghost");
        assertThat(loads).hasValue(1);

        loads.set(0);
        CaffeineCacheAside<String, String> positiveOnly = cache(spec(TEN_MINUTES, 0, Duration.ZERO, Duration.ZERO), nothing);
        positiveOnly.get("ghost");
        positiveOnly.get("ghost");
        assertThat(loads).hasValue(2);
    }

    @Test
    void anEvictionDuringALoadIsNotUndoneByTheLoadsStaleValue() throws Exception {
        SlowFirstLoad source = new SlowFirstLoad();
        CaffeineCacheAside<String, String> cache = cache(spec(TEN_MINUTES, 0, Duration.ZERO, Duration.ZERO), source);

        Thread reader = Thread.ofVirtual().start(() -> cache.get("k"));
        source.loading.await();
        source.value.set("new");
        Thread evicter = Thread.ofVirtual().start(() -> cache.evict("k"));
        // Let the evicter reach the entry that is still loading before the load completes.
        await().atMost(Duration.ofSeconds(5)).until(() -> evicter.getState() != Thread.State.RUNNABLE);
        source.mayFinish.countDown();
        reader.join();
        evicter.join();

        assertThat(cache.get("k")).contains("new");
    }

    /** Caffeine's invalidateAll leaves a load in flight alone; the value it loaded is not served. */
    @Test
    void emptyingTheCacheDuringALoadKeepsOutTheLoadsValue() throws Exception {
        SlowFirstLoad source = new SlowFirstLoad();
        CaffeineCacheAside<String, String> cache = cache(spec(TEN_MINUTES, 0, Duration.ZERO, Duration.ZERO), source);
        AtomicReference<Optional<String>> firstRead = new AtomicReference<>();

        Thread reader = Thread.ofVirtual().start(() -> firstRead.set(cache.get("k")));
        source.loading.await();
        source.value.set("new");
        cache.evictAll();
        source.mayFinish.countDown();
        reader.join();

        assertThat(firstRead.get()).as("the read that began before the emptying").contains("new");
        assertThat(cache.get("k")).contains("new");
    }

    /** A source whose first load reads "old", then waits until the test lets it finish. */
    private static final class SlowFirstLoad implements Function<String, Optional<String>> {

        final AtomicReference<String> value = new AtomicReference<>("old");
        final CountDownLatch loading = new CountDownLatch(1);
        final CountDownLatch mayFinish = new CountDownLatch(1);
        private final AtomicInteger loads = new AtomicInteger();

        @Override
        public Optional<String> apply(String key) {
            String read = value.get();
            if (loads.incrementAndGet() == 1) {
                loading.countDown();
                awaitLatch(mayFinish);
            }
            return Optional.of(read);
        }
    }

    @Test
    void aDisabledCacheReadsThroughEveryTime() {
        AtomicInteger loads = new AtomicInteger();
        var disabled = new CacheProperties.Spec(false, 100, TEN_MINUTES, 0, Duration.ZERO, Duration.ZERO, false, List.of(),
                true, null);
        CaffeineCacheAside<String, String> cache = cache(disabled, key -> Optional.of("v" + loads.incrementAndGet()));

        assertThat(cache.get("k")).contains("v1");
        assertThat(cache.get("k")).contains("v2");
    }

    @Test
    void warmUpKeepsOutWhatWasEvictedWhileItRan() throws InterruptedException {
        AtomicReference<CaffeineCacheAside<String, String>> self = new AtomicReference<>();
        CaffeineCacheAside<String, String> cache = warming(limit -> {
            // A change to "b" commits and is evicted while the warm-up still holds the old value.
            self.get().evict("b");
            return Map.of("a", "stale? no: a", "b", "stale b");
        }, () -> true);
        self.set(cache);
        assertThat(cache.warm()).isFalse();

        cache.warmUp(Duration.ofSeconds(1));

        assertThat(cache.warm()).isTrue();
        assertThat(cache.caffeine().getIfPresent("a").value()).contains("stale? no: a");
        assertThat(cache.get("b")).contains("fresh b");
    }

    /** Evictions racing the warm-up's puts, key by key: none of the evicted keys keeps the warm-up's value. */
    @Test
    void warmUpPutsNothingBackThatAnEvictionRacingItRemoved() throws Exception {
        int keys = 20_000;
        CountDownLatch loaded = new CountDownLatch(1);
        AtomicReference<CaffeineCacheAside<Integer, String>> self = new AtomicReference<>();
        CaffeineCacheAside<Integer, String> cache = warming(limit -> {
            Map<Integer, String> read = new java.util.HashMap<>();
            IntStream.range(0, keys).forEach(key -> read.put(key, "warm-up's"));
            loaded.countDown();
            return read;
        }, () -> true);
        self.set(cache);
        Thread evicter = Thread.ofPlatform().start(() -> {
            awaitLatch(loaded);
            for (int key = keys - 1; key >= 0; key--) {
                self.get().evict(key);
            }
        });
        cache.warmUp(Duration.ofSeconds(1));
        evicter.join();

        assertThat(cache.caffeine().asMap().values()).as("every key was evicted, during or after the warm-up")
                .isEmpty();
    }

    @Test
    void aWarmUpThatFailsIsTriedAgainAndSaysWhy() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CaffeineCacheAside<String, String> cache = warming(limit -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("database not there yet");
            }
            return Map.of("a", "A");
        }, () -> true);
        Thread warmUp = Thread.ofVirtual().start(() -> {
            try {
                cache.warmUp(Duration.ofSeconds(1));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> cache.warmUpState().orElse("").contains("database not there yet"));
        warmUp.join(Duration.ofSeconds(10));

        assertThat(cache.warm()).isTrue();
        assertThat(attempts).hasValue(2);
        assertThat(cache.caffeine().getIfPresent("a").value()).contains("A");
    }

    @Test
    void aCacheThatCannotBeShownCurrentIsBypassedAndItsWarmUpWaits() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean current = new java.util.concurrent.atomic.AtomicBoolean(false);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        var spec = new CacheProperties.Spec(true, 100, TEN_MINUTES, 0, Duration.ZERO, Duration.ZERO, true, List.of(),
                true, null);
        CaffeineCacheAside<String, String> cache = new CaffeineCacheAside<>("bypassed", String.class, spec,
                key -> Optional.of("read " + loads.incrementAndGet()), limit -> Map.of("w", "warm"), Runnable::run,
                Ticker.systemTicker(), current::get, meters);
        Thread warmUp = Thread.ofVirtual().start(() -> {
            try {
                cache.warmUp(Duration.ofSeconds(1));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        assertThat(cache.get("k")).contains("read 1");
        assertThat(cache.get("k")).as("not from memory").contains("read 2");
        assertThat(meters.counter("ficus.cache.bypasses", "cache", "bypassed").count()).isEqualTo(2);
        assertThat(cache.caffeine().estimatedSize()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> cache.warmUpState().orElse("").contains("waiting"));
        assertThat(cache.warm()).isFalse();

        current.set(true);
        warmUp.join(Duration.ofSeconds(10));
        assertThat(cache.warm()).isTrue();
        assertThat(cache.get("k")).contains("read 3");
        assertThat(cache.get("k")).as("from memory again").contains("read 3");
    }

    private static <K> CaffeineCacheAside<K, String> warming(CacheAside.WarmUp<K, String> warmUp,
            java.util.function.BooleanSupplier current) {
        var spec = new CacheProperties.Spec(true, 100_000, TEN_MINUTES, 0, Duration.ZERO, Duration.ZERO, true,
                List.of(), true, null);
        @SuppressWarnings("unchecked")
        Class<K> keyType = (Class<K>) Object.class;
        return new CaffeineCacheAside<>("warm", keyType, spec, key -> Optional.of("fresh " + key), warmUp,
                Runnable::run, Ticker.systemTicker(), current, new SimpleMeterRegistry());
    }

    private static CacheProperties.Spec spec(Duration ttl, double jitter, Duration refreshAfter, Duration negativeTtl) {
        return new CacheProperties.Spec(true, 10_000, ttl, jitter, refreshAfter, negativeTtl, false, List.of(), true,
                null);
    }

    private static <K, V> CaffeineCacheAside<K, V> cache(CacheProperties.Spec spec, Function<K, Optional<V>> source) {
        @SuppressWarnings("unchecked")
        Class<K> keyType = (Class<K>) Object.class;
        return new CaffeineCacheAside<>("test", keyType, spec, source, null, Executors.newVirtualThreadPerTaskExecutor(),
                Ticker.systemTicker(), () -> true, new SimpleMeterRegistry());
    }

    /** A source that takes its time, so that concurrent callers all meet the same load. */
    private static void slowLoad(Duration duration) {
        try {
            Thread.sleep(duration);
        }
        catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
