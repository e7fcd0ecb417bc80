package dev.ficus.benchmarks;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.HdrHistogram.Histogram;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import dev.ficus.toolkit.routing.CapabilityStatus;
import dev.ficus.toolkit.routing.Routers;

/**
 * The migration control room's answer time, as an operator's browser sees it: the shop with its
 * 300 demo products shadowing every catalog read to catalog-service (its own process), after
 * {@value #COMPARISONS} shadow comparisons, some of them mismatches (rows edited in the service),
 * so that the page shows field-level differences. The page and the readiness report are asked for
 * one after another by one client that keeps its session, as a browser does; and once more without
 * a session, with the password checked at every request.
 */
final class ControlRoomBenchmark {

    private static final int COMPARISONS = 10_000;
    private static final int EDITED_IN_THE_SERVICE = 25;
    private static final String ROOM = "/actuator/control-room";

    private final boolean quick;

    ControlRoomBenchmark(boolean quick) {
        this.quick = quick;
    }

    Report run() throws Exception {
        Report report = new Report("control room benchmark");
        int servicePort = BenchmarkApplications.freePort();
        int serviceDatabase = BenchmarkApplications.freePort();
        try (ConfigurableApplicationContext shop = BenchmarkApplications.startShop(
                "--ficus.catalog-service.url=http://127.0.0.1:" + servicePort,
                "--ficus.routing.flags.bootstrap=classpath:routing-flags/shop-shadow.json",
                "--ficus.control-room.modules.catalog.service-url=http://127.0.0.1:" + servicePort)) {
            Process service = BenchmarkApplications.startCatalogService(BenchmarkApplications.jdbcUrl(shop),
                    servicePort, "--ficus.embedded-postgres.port=" + serviceDatabase,
                    BenchmarkApplications.tokensIssuedBy(BenchmarkApplications.base(shop)));
            try {
                BenchmarkApplications.awaitReady("http://127.0.0.1:" + servicePort, service);
                RoutingBenchmarks.awaitCopied(servicePort, 300);
                editInTheService(serviceDatabase);
                String base = BenchmarkApplications.base(shop);
                Routers routers = shop.getBean(Routers.class);
                long reads = compare(base, routers);
                CapabilityStatus compared = routers.status().get("catalog-reads");
                String password = shop.getEnvironment().getProperty("spring.security.user.password");
                String authorization = "Basic " + Base64.getEncoder().encodeToString(("user:" + password)
                        .getBytes(StandardCharsets.UTF_8));
                int requests = quick ? 100 : 500;

                Map<String, Object> setting = new LinkedHashMap<>();
                setting.put("products", 300);
                setting.put("reads", reads);
                setting.put("shadow matches", compared.shadowMatches());
                setting.put("shadow mismatches", compared.shadowMismatches());
                setting.put("mismatches shown", compared.recentMismatches().size());
                report.row("what the room shows", setting);

                Histogram page = timed(base + ROOM, authorization, true, requests);
                report.row("page, with a session", figures(page));
                report.row("readiness report (JSON), with a session",
                        figures(timed(base + ROOM + "/readiness", authorization, true, requests)));
                report.row("page, password checked at every request",
                        figures(timed(base + ROOM, authorization, false, quick ? 20 : 50)));
                double p99 = page.getValueAtPercentile(99) / 1000.0;
                report.target("page with " + (compared.shadowMatches() + compared.shadowMismatches())
                        + " shadow comparisons and 300 products, p99", "< 200 ms", "%.1f ms".formatted(p99), p99 < 200);
            }
            finally {
                service.destroy();
                service.waitFor(30, TimeUnit.SECONDS);
            }
        }
        return report;
    }

    /** Some rows differ in the service, as if edited by hand: their shadow reads are mismatches. */
    private static void editInTheService(int port) {
        JdbcClient service = JdbcClient.create(new SimpleDriverDataSource(new org.postgresql.Driver(),
                "jdbc:postgresql://127.0.0.1:" + port + "/catalog_service", "postgres", ""));
        service.sql("""
                update catalog.products set name = name || ' (edited in the service)'
                where sku in (select sku from catalog.products order by sku limit ?)""")
                .param(EDITED_IN_THE_SERVICE).update();
    }

    /**
     * Reads products by SKU from two clients until the router compared {@value #COMPARISONS} answers;
     * how many reads that took. A read the shop's limits refuse (429) waits as long as it says.
     */
    private static long compare(String base, Routers routers) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int client = 0; client < 2; client++) {
                running.add(clients.submit(() -> {
                    HttpClient http = HttpClient.newHttpClient();
                    while (comparisons(routers) < COMPARISONS) {
                        int sku = next.getAndIncrement() % 300 + 1;
                        HttpResponse<Void> read = http.send(HttpRequest.newBuilder(URI.create(
                                base + "/api/catalog/products/sku/SKU-%04d".formatted(sku))).build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (read.statusCode() == 429) {
                            Thread.sleep(1000 * Long.parseLong(read.headers().firstValue("Retry-After").orElse("1")));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get(10, TimeUnit.MINUTES);
            }
        }
        finally {
            clients.shutdownNow();
        }
        return next.get();
    }

    private static long comparisons(Routers routers) {
        CapabilityStatus reads = routers.status().get("catalog-reads");
        return reads.shadowMatches() + reads.shadowMismatches();
    }

    /**
     * Asks for {@code url} {@code requests} times, one after another, after as many unmeasured to
     * warm up; with a session (credentials once, then the session cookie) or the password each time.
     */
    private static Histogram timed(String url, String authorization, boolean session, int requests) throws Exception {
        HttpClient http = session ? HttpClient.newBuilder().cookieHandler(new CookieManager()).build()
                : HttpClient.newHttpClient();
        HttpRequest withPassword = HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization).build();
        HttpRequest withCookie = HttpRequest.newBuilder(URI.create(url)).build();
        Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
        for (int i = 0; i < 2 * requests; i++) {
            HttpRequest request = session && i > 0 ? withCookie : withPassword;
            long start = System.nanoTime();
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - start;
            if (answer.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + answer.statusCode());
            }
            if (i >= requests) {
                latencies.recordValue(TimeUnit.NANOSECONDS.toMicros(took));
            }
        }
        return latencies;
    }

    private static Map<String, Object> figures(Histogram latencies) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("requests", latencies.getTotalCount());
        figures.put("p50 ms", latencies.getValueAtPercentile(50) / 1000.0);
        figures.put("p99 ms", latencies.getValueAtPercentile(99) / 1000.0);
        figures.put("max ms", latencies.getMaxValue() / 1000.0);
        return figures;
    }
}
