package dev.ficus.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.springframework.core.io.ClassPathResource;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

/**
 * Replication lag from the shop's database into catalog-service, running as its own process from
 * its executable jar: steady rates of price changes made in SQL in the shop's {@code
 * catalog.products}, one transaction every 10 ms. The service records, per change, the time from
 * the shop's commit to its own commit in a histogram ({@code ficus.replication.lag}); the
 * percentiles are read from its buckets, counting only the changes of each step, so they are the
 * upper bounds of Micrometer's buckets (about 10% apart).
 */
final class ReplicationBenchmark {

    private static final int PRODUCTS = 10_000;
    private static final Duration TICK = Duration.ofMillis(10);

    private final Duration step;
    private final List<Integer> rates;

    ReplicationBenchmark(boolean quick) {
        this.step = Duration.ofSeconds(quick ? 10 : 20);
        this.rates = quick ? List.of(1_000, 5_000, 10_000) : List.of(1_000, 2_500, 5_000, 7_500, 10_000, 15_000, 20_000);
    }

    Report run() throws Exception {
        Report report = new Report("replication benchmark");
        EmbeddedPostgresServer shop = EmbeddedPostgresServer.obtain(
                new EmbeddedPostgresProperties(true, "", 0, "shop", Duration.ofSeconds(60), Map.of()));
        int port = BenchmarkApplications.freePort();
        Process service = null;
        try (Connection connection = DriverManager.getConnection(shop.jdbcUrl(), shop.username(), "")) {
            List<UUID> ids = createCatalog(connection);
            service = BenchmarkApplications.startCatalogService(shop.jdbcUrl(), port);
            PrometheusScrape metrics = new PrometheusScrape(port, "bench", "bench");
            awaitSnapshot(metrics, service);
            // One step at the first rate, not reported: the service's JIT and pools warm up here, not
            // in the step that is measured against the lag target.
            measure(connection, ids, rates.getFirst(), metrics);
            Map<String, Object> steady = null;
            int sustained = 0;
            for (int rate : rates) {
                Map<String, Object> figures = measure(connection, ids, rate, metrics);
                report.row("price changes at " + rate + "/s", figures);
                if (rate == 1_000) {
                    steady = figures;
                }
                if (!(boolean) figures.get("sustained")) {
                    break;
                }
                sustained = rate;
            }
            double p99 = (double) steady.get("lag p99 ms");
            report.target("lag p99 at 1,000 changes/s", "<= 300 ms", p99 + " ms", p99 <= 300);
            report.target("highest sustained rate", ">= 10,000 changes/s", sustained + " changes/s", sustained >= 10_000);
        }
        finally {
            if (service != null) {
                service.destroy();
                service.waitFor(30, TimeUnit.SECONDS);
            }
            shop.close();
        }
        return report;
    }

    /** The shop's catalog table, as its migration makes it, with {@value #PRODUCTS} products. */
    private static List<UUID> createCatalog(Connection connection) throws IOException, SQLException {
        String migration = new ClassPathResource("db/migration/catalog/V1__products.sql")
                .getContentAsString(StandardCharsets.UTF_8);
        try (var statement = connection.createStatement()) {
            statement.execute("create schema catalog; set search_path to catalog; " + migration
                    + "; set search_path to public");
            statement.execute("""
                    insert into catalog.products (id, sku, name, description, price_amount, price_currency, category,
                                                  active, created_at, updated_at, version)
                    select gen_random_uuid(), 'BENCH-' || n, 'Product ' || n, 'For the benchmark', 10.00, 'EUR',
                           'bench', true, now(), now(), 0
                    from generate_series(1, %d) n""".formatted(PRODUCTS));
        }
        List<UUID> ids = new ArrayList<>();
        try (var statement = connection.createStatement();
             var rows = statement.executeQuery("select id from catalog.products")) {
            while (rows.next()) {
                ids.add(rows.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    private static void awaitSnapshot(PrometheusScrape metrics, Process service) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (applied(metrics) < PRODUCTS) {
            if (!service.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("catalog-service did not copy the catalog; see benchmarks/target/catalog-service.log");
            }
            Thread.sleep(500);
        }
    }

    /**
     * Writes {@code rate} changes a second for one step, then reads the service's lag percentiles
     * (over its last seconds) and how far behind it is. A rate is sustained when it was written,
     * the p99 stayed under a second and the backlog at the end was under a second's worth.
     */
    private Map<String, Object> measure(Connection connection, List<UUID> ids, int rate, PrometheusScrape metrics)
            throws Exception {
        int perTick = rate / (int) (Duration.ofSeconds(1).toMillis() / TICK.toMillis());
        long appliedBefore = applied(metrics);
        Map<Double, Double> bucketsBefore = metrics.buckets("ficus_replication_lag_seconds");
        long written = 0;
        int next = 0;
        long start = System.nanoTime();
        long ticks = step.toMillis() / TICK.toMillis();
        try (PreparedStatement update = connection.prepareStatement("update catalog.products "
                + "set price_amount = price_amount + 0.01, version = version + 1, updated_at = now() "
                + "where id = any(?)")) {
            for (long tick = 0; tick < ticks; tick++) {
                LockSupport.parkNanos(start + tick * TICK.toNanos() - System.nanoTime());
                UUID[] batch = new UUID[perTick];
                for (int i = 0; i < perTick; i++) {
                    batch[i] = ids.get(next++ % ids.size());
                }
                Array array = connection.createArrayOf("uuid", batch);
                update.setArray(1, array);
                written += update.executeUpdate();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long backlog = written - (applied(metrics) - appliedBefore);
        long drainStart = System.nanoTime();
        while (applied(metrics) - appliedBefore < written
                && System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(30)) {
            Thread.sleep(20);
        }
        long drained = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart);
        long achieved = Math.round(written / seconds);
        Map<Double, Double> buckets = metrics.buckets("ficus_replication_lag_seconds");
        double p50 = PrometheusScrape.percentileMillis(bucketsBefore, buckets, 0.50);
        double p99 = PrometheusScrape.percentileMillis(bucketsBefore, buckets, 0.99);
        boolean sustained = achieved >= rate * 0.95 && p99 < 1000 && backlog < rate;
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("changes written", written);
        figures.put("written/s", achieved);
        figures.put("lag p50 ms", p50);
        figures.put("lag p99 ms", p99);
        figures.put("behind at end", backlog);
        figures.put("caught up in ms", drained);
        figures.put("sustained", sustained);
        return figures;
    }

    private static long applied(PrometheusScrape metrics) {
        return (long) metrics.sum("ficus_replication_applied_total");
    }
}
