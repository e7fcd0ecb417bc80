package dev.ficus.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import org.springframework.context.ConfigurableApplicationContext;

import dev.ficus.toolkit.routing.CapabilityStatus;
import dev.ficus.toolkit.routing.Routers;

/**
 * (a) {@link RoutingBenchmark} with JMH: the time per call in every route against a direct call,
 * and the routing decision alone. JMH runs inside this JVM (no fork): the benchmarks jar is a
 * Spring Boot jar, whose nested jars a forked JVM could not load. (b) The shop's product reads over
 * HTTP with catalog-service running, shadowing off and on: what shadowing costs the primary path.
 */
final class RoutingBenchmarks {

    private static final String[] ROUTES = {"MONOLITH", "SHADOW", "CANARY", "EXTRACTED"};
    private static final int RATE = 200;

    private final boolean quick;

    RoutingBenchmarks(boolean quick) {
        this.quick = quick;
    }

    Report run() throws Exception {
        Report report = new Report("routing benchmark");
        Map<String, Double> average = new LinkedHashMap<>();
        for (RunResult result : jmh(Mode.AverageTime, ".*RoutingBenchmark\\.(direct|routed)$", ROUTES)) {
            average.put(label(result), result.getPrimaryResult().getScore());
        }
        double direct = average.get("direct");
        report.row("direct call", Map.of("ns per call", round(direct)));
        for (String route : ROUTES) {
            double routed = average.get(route);
            report.row("routed, " + route, Map.of("ns per call", round(routed), "added ns", round(routed - direct)));
        }

        Map<String, Double> decisions = new LinkedHashMap<>();
        for (RunResult result : jmh(Mode.AverageTime, ".*RoutingBenchmark\\.decide$", ROUTES)) {
            decisions.put(label(result), result.getPrimaryResult().getScore());
        }

        double decision = 0;
        for (String route : ROUTES) {
            double decide = decisions.get(route);
            decision = Math.max(decision, decide);
            report.row("routing decision alone, " + route, Map.of("ns per call", round(decide)));
        }
        report.target("routing decision, slowest route", "<= 2000 ns", round(decision) + " ns", decision <= 2000);

        Map<Boolean, Map<String, Object>> shadowing = shadowOnTheRequestPath();
        Map<String, Object> off = shadowing.get(false);
        Map<String, Object> on = shadowing.get(true);
        report.row("GET product through the shop at " + RATE + "/s, shadow off", off);
        report.row("GET product through the shop at " + RATE + "/s, shadow on", on);
        double increase = ((double) on.get("p99 µs") - (double) off.get("p99 µs")) / (double) off.get("p99 µs") * 100;
        report.target("shadow's effect on the primary path's p99 (HTTP)", "<= +10%", "%+.1f%%".formatted(increase),
                increase <= 10);
        return report;
    }

    /**
     * The shop's answer time for product reads, at a steady {@value #RATE} requests a second from
     * one client (each timed from when it was due, so a slow answer hides no wait), with
     * catalog-service running as its own process at the lowest CPU priority (standing in for a
     * machine of its own). Two instances of the shop on one database, one shadowing every read to
     * the service (compared off the request path), the other not, are measured in turns, so that
     * both see the same machine, warmed up alike.
     */
    private Map<Boolean, Map<String, Object>> shadowOnTheRequestPath() throws Exception {
        int servicePort = BenchmarkApplications.freePort();
        String service = "--ficus.catalog-service.url=http://127.0.0.1:" + servicePort;
        try (ConfigurableApplicationContext plain = BenchmarkApplications.startShop(service);
             ConfigurableApplicationContext shadowing = BenchmarkApplications.startShop(service,
                     "--ficus.routing.flags.bootstrap=classpath:routing-flags/shop-shadow.json")) {
            Process catalogService = BenchmarkApplications.startCatalogService(true, BenchmarkApplications.jdbcUrl(plain),
                    servicePort);
            try {
                BenchmarkApplications.awaitReady("http://127.0.0.1:" + servicePort, catalogService);
                Map<Boolean, List<URI>> products = Map.of(false, BenchmarkApplications.productUrls(plain),
                        true, BenchmarkApplications.productUrls(shadowing));
                awaitCopied(servicePort, products.get(false).size());
                Map<Boolean, Histogram> latencies = Map.of(false, new Histogram(TimeUnit.SECONDS.toMicros(10), 3),
                        true, new Histogram(TimeUnit.SECONDS.toMicros(10), 3));
                for (boolean shadow : new boolean[] {false, true}) {
                    paced(products.get(shadow), quick ? 5 : 10);
                }
                for (int round = 0; round < (quick ? 2 : 4); round++) {
                    for (boolean shadow : new boolean[] {false, true}) {
                        latencies.get(shadow).add(paced(products.get(shadow), quick ? 5 : 10));
                    }
                }
                Map<Boolean, Map<String, Object>> figures = new LinkedHashMap<>();
                for (boolean shadow : new boolean[] {false, true}) {
                    Histogram measured = latencies.get(shadow);
                    CapabilityStatus reads = (shadow ? shadowing : plain).getBean(Routers.class).status()
                            .get("catalog-reads");
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("requests", measured.getTotalCount());
                    row.put("p50 µs", (double) measured.getValueAtPercentile(50));
                    row.put("p99 µs", (double) measured.getValueAtPercentile(99));
                    row.put("p99.9 µs", (double) measured.getValueAtPercentile(99.9));
                    row.put("shadow matches", reads.shadowMatches());
                    row.put("shadow mismatches", reads.shadowMismatches());
                    row.put("shadow dropped", reads.shadowDropped());
                    figures.put(shadow, row);
                }
                return figures;
            }
            finally {
                catalogService.destroy();
                catalogService.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Histogram paced(List<URI> products, int seconds) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
        long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
        long start = System.nanoTime();
        for (int i = 0; i < seconds * RATE; i++) {
            long due = start + i * interval;
            LockSupport.parkNanos(due - System.nanoTime());
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(products.get(i % products.size())).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + products.get(i % products.size()) + " → " + response.statusCode());
            }
            latencies.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - due)));
        }
        return latencies;
    }

    /** Until the service holds every product (its read copy is complete). */
    private static void awaitCopied(int port, int products) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest count = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/catalog/products?size=1"))
                .build();
        for (int attempt = 0; attempt < 600; attempt++) {
            String body = http.send(count, HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains("\"totalItems\":" + products + ",")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("catalog-service did not copy the catalog");
    }


    private Collection<RunResult> jmh(Mode mode, String include, String... routes) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .mode(mode)
                .timeUnit(TimeUnit.NANOSECONDS)
                .forks(0)
                .threads(1)
                .warmupIterations(quick ? 2 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .param("route", routes)
                .shouldDoGC(true);
        return new Runner(options.build()).run();
    }

    private static String label(RunResult result) {
        String benchmark = result.getParams().getBenchmark();
        return benchmark.endsWith(".direct") ? "direct" : result.getParams().getParam("route");
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
