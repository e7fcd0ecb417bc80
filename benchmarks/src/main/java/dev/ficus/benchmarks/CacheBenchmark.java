package dev.ficus.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.benchmarks.BenchmarkProbes.EvictionLag;
import dev.ficus.shop.FicusApplication;
import dev.ficus.toolkit.cache.CacheAside;
import dev.ficus.toolkit.cache.Caches;

/**
 * (a) GET a product by id served from the cache, from PostgreSQL (cache switched off), and a
 * trivial endpoint of the same application; (b) commit-to-eviction lag at a steady 500 writes/s
 * made in SQL; (c) loads caused by 1,000 concurrent misses on one key.
 */
final class CacheBenchmark {

    private static final int CLIENTS = 16;
    private static final int WRITES_PER_SECOND = 500;
    private static final int MISSES = 1_000;

    private final Duration warmUp;
    private final Duration measure;
    private final Duration writing;

    CacheBenchmark(boolean quick) {
        this.warmUp = Duration.ofSeconds(quick ? 3 : 5);
        this.measure = Duration.ofSeconds(quick ? 5 : 15);
        this.writing = Duration.ofSeconds(quick ? 10 : 30);
    }

    Report run() throws Exception {
        Report report = new Report("cache benchmark");
        HttpLoad load = new HttpLoad(CLIENTS, warmUp, measure);
        HttpLoad.Result cacheHit;
        HttpLoad.Result database;
        HttpLoad.Result trivial;
        Map<String, Object> lag;
        List<Integer> loadsPerRound;
        // Two instances of the shop on one database, one with the product cache switched off, so
        // that all three reads are measured in the same warm JVM; the second stands by as a
        // second instance would (it does not stream changes, it hears the first one's evictions).
        try (ConfigurableApplicationContext cached = startShop(true);
             ConfigurableApplicationContext uncached = startShop(false)) {
            List<URI> fromCache = productUrls(cached);
            List<URI> fromDatabase = productUrls(uncached);
            List<URI> ping = List.of(URI.create(base(cached) + "/bench/ping"));
            for (List<URI> urls : List.of(fromCache, fromDatabase, ping)) {
                load.run(urls);
            }
            cacheHit = load.run(fromCache);
            database = load.run(fromDatabase);
            trivial = load.run(ping);
            lag = evictionLag(cached);
            loadsPerRound = concurrentMisses(cached);
        }

        report.row("GET product, cache hit", cacheHit.figures());
        report.row("GET product, from PostgreSQL (cache off)", database.figures());
        report.row("GET trivial endpoint", trivial.figures());
        report.row("commit → eviction at " + WRITES_PER_SECOND + " writes/s", lag);
        report.row(MISSES + " concurrent misses on one key", Map.of("loads per round", loadsPerRound));

        double overDatabase = cacheHit.requestsPerSecond() / database.requestsPerSecond();
        double ofTrivial = cacheHit.requestsPerSecond() / trivial.requestsPerSecond();
        report.target("cache hit vs database throughput", ">= 3x", "%.1fx".formatted(overDatabase), overDatabase >= 3);
        report.target("cache hit vs trivial endpoint throughput", ">= 80%", "%.0f%%".formatted(ofTrivial * 100),
                ofTrivial >= 0.8);
        double p50 = (double) lag.get("p50 ms");
        double p99 = (double) lag.get("p99 ms");
        report.target("eviction lag p50", "<= 25 ms", "%.1f ms".formatted(p50), p50 <= 25);
        report.target("eviction lag p99", "<= 150 ms", "%.1f ms".formatted(p99), p99 <= 150);
        boolean oneLoad = loadsPerRound.stream().allMatch(loads -> loads == 1);
        report.target("loads per " + MISSES + " concurrent misses", "1", loadsPerRound.toString(), oneLoad);
        return report;
    }

    private static ConfigurableApplicationContext startShop(boolean productCache) throws InterruptedException {
        return BenchmarkApplications.startShop("--ficus.cache.caches.products.enabled=" + productCache);
    }

    private Map<String, Object> evictionLag(ConfigurableApplicationContext shop) throws InterruptedException {
        EvictionLag probe = shop.getBean(EvictionLag.class);
        JdbcClient jdbc = shop.getBean(JdbcClient.class);
        List<UUID> ids = jdbc.sql("select id from catalog.products order by sku").query(UUID.class).list();
        probe.reset();
        long interval = TimeUnit.SECONDS.toNanos(1) / WRITES_PER_SECOND;
        int writes = (int) (writing.toSeconds() * WRITES_PER_SECOND);
        long start = System.nanoTime();
        for (int i = 0; i < writes; i++) {
            LockSupport.parkNanos(start + i * interval - System.nanoTime());
            // A write that bypasses the application, as a batch job or a manual fix would.
            jdbc.sql("update catalog.products set description = ? where id = ?")
                    .params("benchmark write " + i, ids.get(i % ids.size())).update();
        }
        double achievedRate = writes / ((System.nanoTime() - start) / 1e9);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (probe.seen.get() < writes && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("writes", writes);
        figures.put("writes/s", Math.round(achievedRate));
        figures.put("evicted", probe.seen.get());
        figures.put("p50 ms", probe.micros.getValueAtPercentile(50) / 1_000.0);
        figures.put("p99 ms", probe.micros.getValueAtPercentile(99) / 1_000.0);
        figures.put("max ms", probe.micros.getMaxValue() / 1_000.0);
        return figures;
    }

    private static List<Integer> concurrentMisses(ConfigurableApplicationContext shop) throws InterruptedException {
        Caches caches = shop.getBean(Caches.class);
        List<Integer> loadsPerRound = new java.util.ArrayList<>();
        for (int round = 1; round <= 5; round++) {
            AtomicInteger loads = new AtomicInteger();
            CacheAside<String, String> cache = caches.cacheAside("benchmark-misses-" + round, String.class, key -> {
                loads.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                return Optional.of(key);
            });
            CountDownLatch go = new CountDownLatch(1);
            try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < MISSES; i++) {
                    callers.submit(() -> {
                        go.await();
                        return cache.get("hot");
                    });
                }
                go.countDown();
            }
            loadsPerRound.add(loads.get());
        }
        return loadsPerRound;
    }

    private static String base(ConfigurableApplicationContext shop) {
        return BenchmarkApplications.base(shop);
    }

    private static List<URI> productUrls(ConfigurableApplicationContext shop) {
        return BenchmarkApplications.productUrls(shop);
    }
}
