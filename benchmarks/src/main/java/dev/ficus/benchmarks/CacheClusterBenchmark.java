package dev.ficus.benchmarks;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;
import dev.ficus.toolkit.faultproxy.FaultyProxy;

/**
 * Three shop instances, each a process of its own, on one embedded PostgreSQL, each reaching it
 * through a {@link FaultyProxy}. (a) Commit → eviction on every instance, after one unreported
 * warm-up step, while rows change in plain
 * SQL at 500 and 2,000 a second (every 10 ms one transaction of rate/100 rows), from each instance's own
 * {@code ficus.cache.eviction.lag} histogram: on the streaming instance its own eviction, on the
 * others the arrival of the eviction message (per message, timed from the earliest change it
 * carries). (b) The leader partitioned (its connections blackholed) while prices change at 200/s
 * and every instance is read: how long until another instance streams, and per instance how many
 * reads bypassed the caches, failed, or were older than {@code max-staleness}.
 */
final class CacheClusterBenchmark {

    private static final int[] RATES = {500, 2_000};
    private static final int PRODUCTS = 200;
    private static final Duration MAX_STALENESS = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private record Instance(String name, int port, FaultyProxy proxy, Process process, PrometheusScrape metrics) {

        String base() {
            return "http://127.0.0.1:" + port;
        }
    }

    private final Duration step;
    private final Duration partition;

    CacheClusterBenchmark(boolean quick) {
        this.step = Duration.ofSeconds(quick ? 10 : 30);
        this.partition = Duration.ofSeconds(quick ? 20 : 30);
    }

    Report run() throws Exception {
        Report report = new Report("cache cluster benchmark");
        List<Instance> instances = new ArrayList<>();
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.obtain(new EmbeddedPostgresProperties(true, "",
                0, "benchmark_cluster", Duration.ofSeconds(60), Map.of()))) {
            SingleConnectionDataSource connection = new SingleConnectionDataSource(postgres.jdbcUrl(), "postgres", "",
                    true);
            JdbcClient database = JdbcClient.create(connection);
            try {
                for (int i = 1; i <= 3; i++) {
                    FaultyProxy proxy = new FaultyProxy(postgres.port());
                    int port = BenchmarkApplications.freePort();
                    Process process = BenchmarkApplications.startShopProcess("cluster-shop-" + i, port,
                            "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/benchmark_cluster",
                            "--spring.datasource.hikari.connection-timeout=2000",
                            // The demo data, loaded by the first instance: its catalog admin creates the products.
                            "--ficus.demo-data.external-database=" + (i == 1));
                    Instance instance = new Instance("instance " + i, port, proxy, process,
                            new PrometheusScrape(port, "bench", "bench"));
                    instances.add(instance);
                    if (i == 1) {
                        // The first creates the schemas; the others start together.
                        BenchmarkApplications.awaitReady(instance.base(), process);
                    }
                }
                for (Instance instance : instances) {
                    BenchmarkApplications.awaitReady(instance.base(), instance.process());
                }
                List<UUID> products = createProducts(instances.getFirst());
                readAll(instances, products);
                Instance leader = leader(instances);
                // One unreported step first: the instances' JIT warm-up is not what is measured.
                evictionLag(new Report("warm-up"), instances, leader, database, products, RATES[0]);
                for (int rate : RATES) {
                    evictionLag(report, instances, leader, database, products, rate);
                }
                partitionTheLeader(report, instances, leader, database, products);
            }
            finally {
                connection.destroy();
                for (Instance instance : instances) {
                    instance.process().destroy();
                    instance.process().waitFor(30, TimeUnit.SECONDS);
                    instance.proxy().close();
                }
            }
        }
        return report;
    }

    private void evictionLag(Report report, List<Instance> instances, Instance leader, JdbcClient database,
            List<UUID> products, int rate) {
        List<Map<Double, Double>> before = instances.stream()
                .map(instance -> instance.metrics().buckets("ficus_cache_eviction_lag_seconds")).toList();
        // Every 10 ms one transaction of rate/100 rows, in plain SQL, as a batch job or a manual fix would.
        int perTick = rate / 100;
        long ticks = step.toSeconds() * 100;
        long written = 0;
        long start = System.nanoTime();
        for (long tick = 0; tick < ticks; tick++) {
            LockSupport.parkNanos(start + tick * TimeUnit.MILLISECONDS.toNanos(10) - System.nanoTime());
            UUID[] rows = new UUID[perTick];
            for (int i = 0; i < perTick; i++) {
                rows[i] = products.get((int) ((written + i) % products.size()));
            }
            written += database.sql("update catalog.products set description = ? where id = any(?)")
                    .params("benchmark write " + tick, rows).update();
        }
        double achieved = written / ((System.nanoTime() - start) / 1e9);
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
        double worstP99 = 0;
        for (int i = 0; i < instances.size(); i++) {
            Instance instance = instances.get(i);
            Map<Double, Double> after = instance.metrics().buckets("ficus_cache_eviction_lag_seconds");
            double p99 = PrometheusScrape.percentileMillis(before.get(i), after, 0.99);
            worstP99 = Math.max(worstP99, p99);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("writes/s", Math.round(achieved));
            figures.put("messages", Math.round(PrometheusScrape.count(before.get(i), after)));
            figures.put("p50 ms", PrometheusScrape.percentileMillis(before.get(i), after, 0.50));
            figures.put("p99 ms", p99);
            report.row("commit → eviction at %d writes/s, %s (%s)".formatted(rate, instance.name(),
                    instance == leader ? "streams" : "hears"), figures);
        }
        if (rate == 2_000) {
            report.target("eviction p99 at 2,000 writes/s, every instance", "<= 50 ms", "%.1f ms".formatted(worstP99),
                    worstP99 <= 50);
        }
    }

    private void partitionTheLeader(Report report, List<Instance> instances, Instance leader, JdbcClient database,
            List<UUID> products) throws Exception {
        Map<Instance, Double> bypassedBefore = new LinkedHashMap<>();
        instances.forEach(instance -> bypassedBefore.put(instance, instance.metrics().sum("ficus_cache_bypasses_total")));
        Map<UUID, NavigableMap<Long, BigDecimal>> written = new ConcurrentHashMap<>();
        products.forEach(product -> written.put(product, new ConcurrentSkipListMap<>()));
        Map<Instance, AtomicLong> answered = new ConcurrentHashMap<>();
        Map<Instance, AtomicLong> failed = new ConcurrentHashMap<>();
        Map<Instance, AtomicLong> stale = new ConcurrentHashMap<>();
        AtomicLong cents = new AtomicLong(1_000_000);
        long end = System.nanoTime() + partition.toNanos();
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofPlatform().start(() -> {
            long next = System.nanoTime();
            for (int turn = 0; System.nanoTime() < end; turn++) {
                UUID product = products.get(turn % products.size());
                BigDecimal price = BigDecimal.valueOf(cents.incrementAndGet(), 2);
                database.sql("update catalog.products set price_amount = ?, version = version + 1 where id = ?")
                        .params(price, product).update();
                written.get(product).put(System.currentTimeMillis(), price);
                next += TimeUnit.MILLISECONDS.toNanos(5);
                LockSupport.parkNanos(next - System.nanoTime());
            }
        }));
        for (Instance instance : instances) {
            answered.put(instance, new AtomicLong());
            failed.put(instance, new AtomicLong());
            stale.put(instance, new AtomicLong());
            for (int reader = 0; reader < 4; reader++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (System.nanoTime() < end) {
                        UUID product = products.get(ThreadLocalRandom.current().nextInt(products.size()));
                        long started = System.currentTimeMillis();
                        BigDecimal price = price(instance, product);
                        if (price == null) {
                            failed.get(instance).incrementAndGet();
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                            continue;
                        }
                        answered.get(instance).incrementAndGet();
                        Map.Entry<Long, BigDecimal> due = written.get(product)
                                .floorEntry(started - MAX_STALENESS.toMillis());
                        if (due != null && due.getValue().compareTo(price) > 0) {
                            stale.get(instance).incrementAndGet();
                        }
                    }
                }));
            }
        }
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
        long cutAt = System.nanoTime();
        leader.proxy().blackhole();
        long takeoverMillis = -1;
        while (System.nanoTime() < end && takeoverMillis < 0) {
            for (Instance instance : instances) {
                if (instance != leader && "STREAMING".equals(state(instance))) {
                    takeoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        leader.proxy().heal();
        long staleTotal = 0;
        for (Instance instance : instances) {
            double bypassed = instance.metrics().sum("ficus_cache_bypasses_total") - bypassedBefore.get(instance);
            long reads = answered.get(instance).get();
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("reads answered", reads);
            figures.put("bypassed", Math.round(bypassed));
            figures.put("bypassed %", reads == 0 ? Double.NaN : Math.round(1000.0 * bypassed / reads) / 10.0);
            figures.put("failed", failed.get(instance).get());
            figures.put("stale", stale.get(instance).get());
            staleTotal += stale.get(instance).get();
            report.row("leader partitioned %d s at 200 writes/s, %s (%s)".formatted(partition.toSeconds() - 2,
                    instance.name(), instance == leader ? "partitioned leader" : "standby"), figures);
        }
        report.target("a standby streams after the leader is partitioned", "<= 15000 ms",
                takeoverMillis < 0 ? "not within the run" : takeoverMillis + " ms",
                takeoverMillis >= 0 && takeoverMillis <= 15_000);
        report.target("reads older than max-staleness (5 s)", "0", Long.toString(staleTotal), staleTotal == 0);
    }

    /** {@value #PRODUCTS} products of the benchmark's own, created by the demo catalog admin. */
    private static List<UUID> createProducts(Instance instance) throws IOException, InterruptedException {
        return BenchmarkApplications.createProducts(instance.base(), PRODUCTS);
    }

    /** Every product once from every instance: the caches hold them before anything is measured. */
    private static void readAll(List<Instance> instances, List<UUID> products) {
        instances.forEach(instance -> products.forEach(product -> price(instance, product)));
    }

    private static Instance leader(List<Instance> instances) {
        for (int attempt = 0; attempt < 600; attempt++) {
            for (Instance instance : instances) {
                if ("STREAMING".equals(state(instance))) {
                    return instance;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new IllegalStateException("No instance streams");
    }

    private static String state(Instance instance) {
        try {
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(instance.base() + "/actuator/health"))
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("bench:bench".getBytes()))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode stream = JSON.readTree(health.body()).get("components").get("changeStream");
            return stream.get("details").get("state").asString();
        }
        catch (IOException | RuntimeException e) {
            return "UNREACHABLE";
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "UNREACHABLE";
        }
    }

    /** The product's price as the instance answers it; null if it does not answer within 2 s. */
    private static BigDecimal price(Instance instance, UUID product) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                            URI.create(instance.base() + "/api/catalog/products/" + product))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return null;
            }
            return JSON.readTree(response.body()).get("price").get("amount").decimalValue();
        }
        catch (IOException | RuntimeException e) {
            return null;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
