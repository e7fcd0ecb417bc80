package dev.ficus.benchmarks;

import java.net.CookieManager;
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
 * and the routing decision alone, with the decision cache and without. JMH runs inside this JVM
 * (no fork): the benchmarks jar is a Spring Boot jar, whose nested jars a forked JVM could not load.
 * (b) The shop's product reads over HTTP with catalog-service running, shadowing off and on, in
 * alternating rounds: what shadowing costs the primary path, and how much that figure varies.
 */
final class RoutingBenchmarks {

    private static final String[] ROUTES = {"MONOLITH", "SHADOW", "CANARY", "EXTRACTED"};
    /** The decision cache as configured by default, and none. */
    private static final String CACHED = "16MB";
    private static final String UNCACHED = "0";
    private static final int RATE = 200;
    /** Rounds of the HTTP part: each shop's, {@value #ROUND_SECONDS} s ({@value #RATE}/s) each, in pairs. */
    private static final int ROUND_SECONDS = 10;
    private static final int PAIRS = 12;

    private final boolean quick;

    RoutingBenchmarks(boolean quick) {
        this.quick = quick;
    }

    Report run() throws Exception {
        Report report = new Report("routing benchmark");
        Map<String, Double> average = new LinkedHashMap<>();
        for (RunResult result : jmh(".*RoutingBenchmark\\.(direct|routed)$", ROUTES, CACHED)) {
            average.put(label(result), result.getPrimaryResult().getScore());
        }
        for (RunResult result : jmh(".*RoutingBenchmark\\.routed$", new String[] {"MONOLITH"}, UNCACHED)) {
            average.put(label(result), result.getPrimaryResult().getScore());
        }
        double direct = average.get("direct");
        report.row("direct call", Map.of("ns per call", round(direct)));
        for (String route : ROUTES) {
            double routed = average.get(route + CACHED);
            report.row("routed, " + route, Map.of("ns per call", round(routed), "added ns", round(routed - direct)));
        }
        double uncached = average.get("MONOLITH" + UNCACHED);
        report.row("routed, MONOLITH, no decision cache", Map.of("ns per call", round(uncached),
                "added ns", round(uncached - direct)));

        Map<String, Double> decisions = new LinkedHashMap<>();
        for (RunResult result : jmh(".*RoutingBenchmark\\.decide$", ROUTES, CACHED, UNCACHED)) {
            decisions.put(label(result), result.getPrimaryResult().getScore());
        }
        double slowest = 0;
        for (String route : ROUTES) {
            double cached = decisions.get(route + CACHED);
            slowest = Math.max(slowest, cached);
            report.row("routing decision alone, " + route, Map.of("ns per call", round(cached),
                    "ns per call, no decision cache", round(decisions.get(route + UNCACHED))));
        }
        report.target("routing decision, slowest route", "<= 1000 ns", round(slowest) + " ns", slowest <= 1000);
        double added = average.get("MONOLITH" + CACHED) - direct;
        report.target("added by the router to a MONOLITH call", "<= 2000 ns", round(added) + " ns", added <= 2000);

        ShadowEffect shadow = shadowOnTheRequestPath();
        report.row("GET product through the shop at " + RATE + "/s, shadow off, all rounds", shadow.off());
        report.row("GET product through the shop at " + RATE + "/s, shadow on, all rounds", shadow.on());
        report.row("shadow on vs off, p50 per round pair", shadow.p50());
        report.row("shadow on vs off, p99 per round pair", shadow.p99());
        double median = (double) shadow.p99().get("median %");
        report.target("shadow's effect on the primary path's p99 (HTTP), median of " + shadow.p99().get("pairs")
                + " round pairs", "<= +10%", "%+.1f%% (pairs from %+.1f%% to %+.1f%%)".formatted(median,
                        (double) shadow.p99().get("min %"), (double) shadow.p99().get("max %")), median <= 10);
        return report;
    }

    /**
     * The pooled figures of each shop, and the spread of the difference between them, round pair
     * by round pair (as percentages of the shop without shadowing).
     */
    private record ShadowEffect(Map<String, Object> off, Map<String, Object> on, Map<String, Object> p50,
            Map<String, Object> p99) {
    }

    /**
     * The shop's answer time for product reads, at a steady {@value #RATE} requests a second from
     * one client (each timed from when it was due, so a slow answer hides no wait), with
     * catalog-service running as its own process at the lowest CPU priority (standing in for a
     * machine of its own). Two instances of the shop on one database, one shadowing every read to
     * the service (compared off the request path), the other not, are measured in many short rounds
     * that alternate between them (off then on, then on then off), so that both see the same
     * machine, warmed up alike, and a disturbance of the machine falls on one pair of rounds rather
     * than on one side. Each round is long enough for its own p99.
     */
    private ShadowEffect shadowOnTheRequestPath() throws Exception {
        int servicePort = BenchmarkApplications.freePort();
        String service = "--ficus.catalog-service.url=http://127.0.0.1:" + servicePort;
        try (ConfigurableApplicationContext plain = BenchmarkApplications.startShop(service);
             ConfigurableApplicationContext shadowing = BenchmarkApplications.startShop(service,
                     "--ficus.routing.flags.bootstrap=classpath:routing-flags/shop-shadow.json")) {
            Process catalogService = BenchmarkApplications.startCatalogService(true, BenchmarkApplications.jdbcUrl(plain),
                    servicePort, BenchmarkApplications.tokensIssuedBy(BenchmarkApplications.base(plain)));
            try {
                BenchmarkApplications.awaitReady("http://127.0.0.1:" + servicePort, catalogService);
                Map<Boolean, List<URI>> products = Map.of(false, BenchmarkApplications.productUrls(plain),
                        true, BenchmarkApplications.productUrls(shadowing));
                awaitCopied(servicePort, products.get(false).size());
                int seconds = quick ? 5 : ROUND_SECONDS;
                for (boolean shadow : new boolean[] {false, true}) {
                    paced(products.get(shadow), seconds);
                }
                Map<Boolean, Histogram> pooled = Map.of(false, new Histogram(TimeUnit.SECONDS.toMicros(10), 3),
                        true, new Histogram(TimeUnit.SECONDS.toMicros(10), 3));
                List<Double> p50 = new ArrayList<>();
                List<Double> p99 = new ArrayList<>();
                int pairs = quick ? 4 : PAIRS;
                for (int pair = 0; pair < pairs; pair++) {
                    Map<Boolean, Histogram> round = new LinkedHashMap<>();
                    boolean first = pair % 2 == 1;
                    for (boolean shadow : new boolean[] {first, !first}) {
                        round.put(shadow, paced(products.get(shadow), seconds));
                        pooled.get(shadow).add(round.get(shadow));
                    }
                    p50.add(increase(round.get(false).getValueAtPercentile(50), round.get(true).getValueAtPercentile(50)));
                    p99.add(increase(round.get(false).getValueAtPercentile(99), round.get(true).getValueAtPercentile(99)));
                }
                Map<Boolean, Map<String, Object>> figures = new LinkedHashMap<>();
                for (boolean shadow : new boolean[] {false, true}) {
                    Histogram measured = pooled.get(shadow);
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
                return new ShadowEffect(figures.get(false), figures.get(true), spread(p50), spread(p99));
            }
            finally {
                catalogService.destroy();
                catalogService.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** How much higher {@code on} is than {@code off}, in percent of {@code off}. */
    private static double increase(long off, long on) {
        return (on - off) * 100.0 / Math.max(1, off);
    }

    /** Median, least and greatest of the per-pair differences, and in how many pairs shadowing was slower. */
    private static Map<String, Object> spread(List<Double> differences) {
        List<Double> sorted = differences.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("pairs", n);
        row.put("median %", round(median));
        row.put("min %", round(sorted.getFirst()));
        row.put("max %", round(sorted.getLast()));
        row.put("on slower in", sorted.stream().filter(difference -> difference > 0).count() + " of " + n);
        return row;
    }

    /** One client, which keeps the routing cookie the shop gives it, as a browser does. */
    private static Histogram paced(List<URI> products, int seconds) throws Exception {
        HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
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
    static void awaitCopied(int port, int products) throws Exception {
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


    private Collection<RunResult> jmh(String include, String[] routes, String... decisionCaches) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .mode(Mode.AverageTime)
                .timeUnit(TimeUnit.NANOSECONDS)
                .forks(0)
                .threads(1)
                .warmupIterations(quick ? 2 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .param("route", routes)
                .param("decisionCache", decisionCaches)
                .shouldDoGC(true);
        return new Runner(options.build()).run();
    }

    /** "direct", else the route followed by the decision cache's size. */
    private static String label(RunResult result) {
        String benchmark = result.getParams().getBenchmark();
        return benchmark.endsWith(".direct") ? "direct"
                : result.getParams().getParam("route") + result.getParams().getParam("decisionCache");
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
