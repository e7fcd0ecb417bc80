package dev.ficus.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

/**
 * The shop as a cluster behind the repository's HAProxy configuration ({@code cluster/haproxy.cfg}),
 * every instance a process of its own on one embedded PostgreSQL, as {@code cluster/run} starts
 * it: cache-hit reads directly and through the balancer with one, two and three instances; commit
 * → eviction on every instance; failed requests while every instance restarts in turn under load;
 * start → ready and memory per instance, from the jar and from the AOT cache
 * ({@code cluster/aot-cache}); a fresh instance's first minute of reads (latency, and how many
 * connections it takes from its pool to PostgreSQL with and without the Redis tier).
 */
final class ScaleOutBenchmark {

    private static final Path JAR = Path.of("app/target/ficus-app-exec.jar");
    private static final Path AOT = Path.of("benchmarks/target/aot");
    private static final Path HAPROXY_CONFIG = Path.of("cluster/haproxy.cfg");
    /** Switches the shop's Redis tier; Redis is the machine's, at 127.0.0.1:6379. */
    private static final String SECOND_TIER = "--ficus.cache.second-tier.enabled=";

    private enum Launch { JAR, AOT_CACHE }

    private record Shop(int port, Process process, PrometheusScrape metrics, double readySeconds, long rssAtReady) {

        String base() {
            return "http://127.0.0.1:" + port;
        }

        void stop() throws InterruptedException {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private final boolean quick;
    private final Duration measure;
    private final Duration firstMinute;
    private String jdbcUrl;
    private int nextName;

    ScaleOutBenchmark(boolean quick) {
        this.quick = quick;
        this.measure = Duration.ofSeconds(quick ? 5 : 20);
        this.firstMinute = Duration.ofSeconds(quick ? 20 : 60);
    }

    Report run() throws Exception {
        Report report = new Report("scale-out benchmark");
        List<Shop> shops = new ArrayList<>();
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.obtain(new EmbeddedPostgresProperties(true, "",
                0, "benchmark_scale", Duration.ofSeconds(60), Map.of()))) {
            jdbcUrl = postgres.jdbcUrl();
            try {
                // The first instance creates the schemas and loads the demo data, whose catalog-admin
                // account creates the products below; the AOT cache is then recorded against that
                // database, as cluster/run does.
                Shop first = start(Launch.JAR, true, BenchmarkApplications.freePort(),
                        "--ficus.demo-data.external-database=true");
                shops.add(first);
                recordAotCache();
                for (int i = 0; i < 2; i++) {
                    shops.add(start(Launch.AOT_CACHE, true));
                }
                List<URI> products = products(shops);
                startToReady(report);
                reads(report, shops, products);
                evictions(report, shops);
                // The changes above left every product's entries invalidated; the cluster's
                // traffic loads them again, as it would.
                new HttpLoad(8, Duration.ZERO, Duration.ofSeconds(5)).run(at(shops.getFirst().base(), products));
                firstMinute(report, products);
                rollingRestart(report, shops, products);
            }
            finally {
                for (Shop shop : shops) {
                    shop.stop();
                }
            }
        }
        return report;
    }

    private Shop start(Launch launch, boolean secondTier) throws Exception {
        return start(launch, secondTier, BenchmarkApplications.freePort());
    }

    private Shop start(Launch launch, boolean secondTier, int port, String... settings) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        if (launch == Launch.AOT_CACHE) {
            Path recorded = AOT.resolve("current").toRealPath();
            command.addAll(List.of("-XX:AOTCache=" + recorded.resolve("app.aot"), "-jar",
                    recorded.resolve(JAR.getFileName()).toString()));
        }
        else {
            command.addAll(List.of("-jar", JAR.toString()));
        }
        command.addAll(List.of("--server.port=" + port,
                "--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=postgres",
                "--spring.security.user.name=bench", "--spring.security.user.password=bench",
                // One client (wrk) far beyond the shop's per-client read limit: the filter runs, never refuses.
                "--ficus.limits.classes.reads.requests-per-period=100000000",
                SECOND_TIER + secondTier,
                "--logging.level.root=warn"));
        command.addAll(List.of(settings));
        Path log = Path.of("benchmarks", "target", "scale-shop-" + (++nextName) + ".log");
        Files.createDirectories(log.getParent());
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        BenchmarkApplications.awaitReady("http://127.0.0.1:" + port, process);
        double ready = (System.nanoTime() - started) / 1e9;
        return new Shop(port, process, new PrometheusScrape(port, "bench", "bench"), ready, rssMegabytes(process));
    }

    private void recordAotCache() throws Exception {
        ProcessBuilder script = new ProcessBuilder("cluster/aot-cache").inheritIO();
        script.environment().put("AOT_DIR", AOT.toString());
        // The script records with the java on the PATH: this JVM's, which starts the instances.
        Path javaBin = Path.of(ProcessHandle.current().info().command().orElse("java")).getParent();
        if (javaBin != null) {
            script.environment().put("PATH", javaBin + java.io.File.pathSeparator + System.getenv("PATH"));
        }
        script.environment().put("DATABASE_URL", jdbcUrl);
        if (script.start().waitFor() != 0 || !Files.isRegularFile(AOT.resolve("current").resolve("app.aot"))) {
            throw new IllegalStateException("cluster/aot-cache recorded no AOT cache (it needs Java 25)");
        }
    }

    /**
     * 300 products, as many as the demo shop has, created by its catalog admin and read by id and
     * by SKU (600 paths); every instance reads each once, so that what follows is cache hits.
     */
    private List<URI> products(List<Shop> shops) throws Exception {
        List<UUID> ids = BenchmarkApplications.createProducts(shops.getFirst().base(), 300);
        List<URI> products = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            products.add(URI.create("/api/catalog/products/" + ids.get(i)));
            products.add(URI.create("/api/catalog/products/sku/BENCH-%04d".formatted(i + 1)));
        }
        HttpClient http = HttpClient.newHttpClient();
        for (Shop shop : shops) {
            for (URI product : products) {
                http.send(HttpRequest.newBuilder(URI.create(shop.base() + product.getPath())).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        }
        return products;
    }

    private static List<URI> at(String base, List<URI> urls) {
        return urls.stream().map(url -> URI.create(base + url.getRawPath())).toList();
    }

    /** Start → ready and memory of an instance started from the jar, as a new user would, and from the AOT cache. */
    private void startToReady(Report report) throws Exception {
        Shop fromJar = start(Launch.JAR, true);
        fromJar.stop();
        Shop fromCache = start(Launch.AOT_CACHE, true);
        fromCache.stop();
        row(report, "another instance starts from the jar", Map.of("start → ready s", round(fromJar.readySeconds()),
                "RSS MB", fromJar.rssAtReady()));
        row(report, "another instance starts from the AOT cache", Map.of("start → ready s",
                round(fromCache.readySeconds()), "RSS MB", fromCache.rssAtReady()));
        report.target("start → ready, from the AOT cache", "<= 8 s", round(fromCache.readySeconds()) + " s",
                fromCache.readySeconds() <= 8);
    }

    /**
     * Cache-hit reads directly to one instance, then through HAProxy in front of one, two and three:
     * throughput with 32 connections, and latency with one connection at a time (the balancer's
     * added latency, which queueing would hide).
     */
    private void reads(Report report, List<Shop> shops, List<URI> products) throws Exception {
        HttpLoad throughput = new HttpLoad(32, Duration.ofSeconds(quick ? 5 : 10), measure);
        HttpLoad latency = new HttpLoad(1, Duration.ofSeconds(2), measure);
        for (Shop shop : shops) {
            // Every instance's JIT warm for what follows.
            throughput.run(at(shop.base(), products));
        }
        row(report, "cache-hit reads, directly to one instance, 32 connections",
                reads(throughput.run(at(shops.getFirst().base(), products))));
        HttpLoad.Result direct = latency.run(at(shops.getFirst().base(), products));
        row(report, "cache-hit reads, directly to one instance, 1 connection", reads(direct));
        HttpLoad.Result throughOne = null;
        for (int n = 1; n <= shops.size(); n++) {
            try (Balancer balancer = Balancer.start(shops.subList(0, n).stream().map(Shop::port).toList())) {
                row(report, "cache-hit reads through HAProxy, %d instance%s, 32 connections".formatted(n,
                        n == 1 ? "" : "s"), reads(throughput.run(at(balancer.base(), products))));
                if (n == 1) {
                    throughOne = latency.run(at(balancer.base(), products));
                    row(report, "cache-hit reads through HAProxy, 1 instance, 1 connection", reads(throughOne));
                }
            }
        }
        double added = (throughOne.p50Micros() - direct.p50Micros()) / 1000;
        report.target("latency HAProxy adds to p50 (1 connection)", "<= 0.5 ms", "%.2f ms".formatted(added),
                added <= 0.5);
    }

    private static Map<String, Object> reads(HttpLoad.Result result) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("req/s", Math.round(result.requestsPerSecond()));
        figures.put("p50 ms", round2(result.p50Micros() / 1000));
        figures.put("p99 ms", round2(result.p99Micros() / 1000));
        figures.put("failed", result.errors());
        return figures;
    }

    /**
     * 200 changes a second in plain SQL for 10 s; commit → eviction from each instance's histogram
     * (its own eviction on the streaming instance, the message's arrival on the others), after one
     * unreported step that warms the path up.
     */
    private void evictions(Report report, List<Shop> shops) {
        changeRows();
        List<Map<Double, Double>> before = shops.stream()
                .map(shop -> shop.metrics().buckets("ficus_cache_eviction_lag_seconds")).toList();
        changeRows();
        double worst = 0;
        for (int i = 0; i < shops.size(); i++) {
            Map<Double, Double> after = shops.get(i).metrics().buckets("ficus_cache_eviction_lag_seconds");
            double p99 = PrometheusScrape.percentileMillis(before.get(i), after, 0.99);
            worst = Math.max(worst, p99);
            row(report, "commit → eviction at 200 writes/s, instance " + (i + 1), Map.of(
                    "p50 ms", PrometheusScrape.percentileMillis(before.get(i), after, 0.50), "p99 ms", p99));
        }
        report.target("commit → eviction p99, every instance", "<= 50 ms", "%.1f ms".formatted(worst), worst <= 50);
    }

    private void changeRows() {
        SingleConnectionDataSource connection = new SingleConnectionDataSource(jdbcUrl, "postgres", "", true);
        try {
            JdbcClient database = JdbcClient.create(connection);
            List<UUID> ids = database.sql("select id from catalog.products").query(UUID.class).list();
            long start = System.nanoTime();
            for (int tick = 0; tick < 2_000; tick++) {
                LockSupport.parkNanos(start + tick * TimeUnit.MILLISECONDS.toNanos(5) - System.nanoTime());
                database.sql("update catalog.products set description = ? where id = ?")
                        .params("benchmark write " + tick, ids.get(tick % ids.size())).update();
            }
        }
        finally {
            connection.destroy();
        }
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
    }

    /**
     * Reads through HAProxy (wrk) while each instance in turn is told to stop (SIGTERM), drains,
     * exits and is started again from the AOT cache: failed requests (non-2xx and socket errors).
     */
    private void rollingRestart(Report report, List<Shop> shops, List<URI> products) throws Exception {
        try (Balancer balancer = Balancer.start(shops.stream().map(Shop::port).toList())) {
            // A steady load (16 connections, each pausing 10 ms between requests) rather than all the
            // two cores can serve, so that restarting instances get their share of the machine. It
            // runs until every instance has restarted (at most 10 minutes).
            HttpLoad load = new HttpLoad(16, Duration.ZERO, Duration.ofMinutes(10), Duration.ofMillis(10));
            CompletableFuture<Void> restarted = new CompletableFuture<>();
            CompletableFuture<HttpLoad.Result> traffic = CompletableFuture.supplyAsync(() -> {
                try {
                    return load.run(at(balancer.base(), products), restarted);
                }
                catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
            for (int i = 0; i < shops.size(); i++) {
                shops.get(i).stop();
                Shop again = start(Launch.AOT_CACHE, true, shops.get(i).port());
                shops.set(i, again);
                row(report, "instance %d restarted from the AOT cache".formatted(i + 1), Map.of(
                        "start → ready s", round(again.readySeconds()), "RSS MB", again.rssAtReady()));
            }
            // Back in rotation (two passed checks a second apart) before the load ends.
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
            restarted.complete(null);
            HttpLoad.Result result = traffic.get();
            Map<String, Object> figures = reads(result);
            figures.put("requests", result.requests());
            row(report, "reads through HAProxy while every instance restarts in turn", figures);
            report.target("failed requests during a rolling restart", "0", Long.toString(result.errors()),
                    result.errors() == 0);
        }
    }

    /**
     * A fresh instance (from the AOT cache) under a steady load from the moment it is ready (8
     * connections, each pausing 5 ms between requests), for a minute. First with the caches'
     * warm-up off, without and with the Redis tier the running instances filled: every product is
     * then a miss of the first tier, and what the second tier saves shows in the connections the
     * instance takes from its pool to PostgreSQL (one per query or transaction). Then as the shop
     * ships (warm-up on, Redis on): its first minute's p99 against the next minute's.
     */
    private void firstMinute(Report report, List<URI> products) throws Exception {
        HttpLoad steadyLoad = new HttpLoad(8, Duration.ZERO, firstMinute, Duration.ofMillis(5));
        double[] perThousand = new double[2];
        for (int secondTier = 0; secondTier <= 1; secondTier++) {
            Shop fresh = start(Launch.AOT_CACHE, secondTier == 1, BenchmarkApplications.freePort(),
                    "--ficus.cache.caches.products.warm-up=false", "--ficus.cache.caches.products-by-sku.warm-up=false");
            try {
                Map<String, Object> figures = firstMinute(fresh, steadyLoad, products);
                perThousand[secondTier] = (double) figures.get("DB connections per 1,000 reads");
                row(report, "fresh instance, no warm-up, first %d s, Redis tier %s".formatted(firstMinute.toSeconds(),
                        secondTier == 1 ? "on" : "off"), figures);
            }
            finally {
                fresh.stop();
            }
        }
        double fewer = perThousand[0] / Math.max(perThousand[1], 1e-9);
        report.target("queries to PostgreSQL per read, fresh instance's first minute, without Redis / with",
                ">= 10x", "%.1fx".formatted(fewer), fewer >= 10);

        Shop fresh = start(Launch.AOT_CACHE, true);
        try {
            Map<String, Object> first = firstMinute(fresh, steadyLoad, products);
            row(report, "fresh instance as shipped (warm-up, Redis), first %d s".formatted(firstMinute.toSeconds()),
                    first);
            HttpLoad.Result steady = steadyLoad.run(at(fresh.base(), products));
            row(report, "the same instance, the next %d s".formatted(firstMinute.toSeconds()), reads(steady));
            double ratio = (double) first.get("p99 ms") / round2(steady.p99Micros() / 1000);
            report.target("first-minute p99 against the next minute's", "<= 2x", "%.1fx".formatted(ratio), ratio <= 2);
        }
        finally {
            fresh.stop();
        }
    }

    private Map<String, Object> firstMinute(Shop fresh, HttpLoad load, List<URI> products) throws Exception {
        double atReady = fresh.metrics().sum("hikaricp_connections_acquire_seconds_count");
        HttpLoad.Result result = load.run(at(fresh.base(), products));
        double inFirstMinute = fresh.metrics().sum("hikaricp_connections_acquire_seconds_count") - atReady;
        Map<String, Object> figures = reads(result);
        figures.put("requests", result.requests());
        figures.put("DB connections until ready", Math.round(atReady));
        figures.put("DB connections per 1,000 reads", round2(inFirstMinute * 1000 / Math.max(1, result.requests())));
        return figures;
    }

    private static void row(Report report, String what, Map<String, Object> figures) {
        report.row(what, new LinkedHashMap<>(figures));
    }

    private static long rssMegabytes(Process process) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .map(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
                .findFirst().orElse(-1L);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** HAProxy with the repository's configuration, in front of the given instances only. */
    private record Balancer(Process process, int port, Path config) implements AutoCloseable {

        static Balancer start(List<Integer> instances) throws Exception {
            StringBuilder servers = new StringBuilder();
            for (int i = 0; i < instances.size(); i++) {
                servers.append("    server shop%d 127.0.0.1:%d%n".formatted(i + 1, instances.get(i)));
            }
            List<String> lines = Files.readAllLines(HAPROXY_CONFIG);
            int first = -1;
            List<String> kept = new ArrayList<>();
            for (String line : lines) {
                if (line.matches("^    server shop\\d.*")) {
                    if (first < 0) {
                        first = kept.size();
                        kept.add(servers.toString().stripTrailing());
                    }
                    continue;
                }
                kept.add(line);
            }
            Path config = Files.createTempFile("ficus-haproxy", ".cfg");
            Files.writeString(config, String.join("\n", kept) + "\n");
            int port = BenchmarkApplications.freePort();
            ProcessBuilder builder = new ProcessBuilder("haproxy", "-f", config.toString()).redirectErrorStream(true)
                    .redirectOutput(Path.of("benchmarks", "target", "haproxy.log").toFile());
            builder.environment().put("FICUS_PORT", Integer.toString(port));
            builder.environment().put("FICUS_STATS_PORT", Integer.toString(BenchmarkApplications.freePort()));
            builder.environment().put("FICUS_CLIENT_REQUESTS_PER_10S", "1000000000");
            builder.environment().put("FICUS_CLIENT_WRITES_PER_10S", "1000000000");
            Process process;
            try {
                process = builder.start();
            }
            catch (IOException e) {
                throw new IllegalStateException("The scale-out benchmark needs HAProxy: apt-get install haproxy", e);
            }
            Balancer balancer = new Balancer(process, port, config);
            BenchmarkApplications.awaitReady(balancer.base(), process);
            // Every instance through two passed checks a second apart.
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
            return balancer;
        }

        String base() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(config);
        }
    }
}
