package dev.ficus.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * What identity costs a request: a product read by SKU (a cache hit) with no token, then with a
 * catalog-admin's token, whose RS256 signature and claims are checked on every request; and a
 * login at the token endpoint, whose password is checked with bcrypt. One shop in this JVM with
 * the demo data; the reads come from wrk.
 */
final class IdentityBenchmark {

    private final boolean quick;

    IdentityBenchmark(boolean quick) {
        this.quick = quick;
    }

    Report run() throws Exception {
        Report report = new Report("identity benchmark");
        try (ConfigurableApplicationContext shop = BenchmarkApplications.startShop()) {
            String base = BenchmarkApplications.base(shop);
            List<URI> reads = BenchmarkApplications.productUrls(shop);
            String token = BenchmarkApplications.login(base, "catalog-admin");
            HttpLoad load = new HttpLoad(8, Duration.ofSeconds(quick ? 3 : 10), Duration.ofSeconds(quick ? 5 : 15));
            HttpLoad withTokens = load.withHeader("Authorization", "Bearer " + token);

            // Both warmed up first, then measured in turns, twice: the machine's drift hits both alike.
            load.run(reads);
            withTokens.run(reads);
            HttpLoad.Result anonymous = null;
            HttpLoad.Result withToken = null;
            for (int round = 1; round <= 2; round++) {
                HttpLoad.Result without = load.run(reads);
                HttpLoad.Result with = withTokens.run(reads);
                report.row("product read by SKU, no token (round " + round + ")", without.figures());
                report.row("product read by SKU, with a token checked every time (round " + round + ")", with.figures());
                anonymous = anonymous == null || without.requestsPerSecond() > anonymous.requestsPerSecond() ? without : anonymous;
                withToken = withToken == null || with.requestsPerSecond() > withToken.requestsPerSecond() ? with : withToken;
            }
            Histogram logins = logins(base, quick ? 20 : 100);
            Map<String, Object> login = new LinkedHashMap<>();
            login.put("requests", logins.getTotalCount());
            login.put("p50 ms", logins.getValueAtPercentile(50) / 1000.0);
            login.put("p99 ms", logins.getValueAtPercentile(99) / 1000.0);
            report.row("login (token endpoint, bcrypt), one after another", login);

            double kept = withToken.requestsPerSecond() / anonymous.requestsPerSecond();
            report.target("reads with a token, share of the throughput without (best rounds)", ">= 80 %",
                    "%.0f %%".formatted(100 * kept), kept >= 0.8);
            boolean errorless = anonymous.errors() == 0 && withToken.errors() == 0;
            report.target("reads answered 200 with and without a token", "all", errorless ? "all" : "not all", errorless);
        }
        return report;
    }

    /** Logs the demo catalog admin in {@code count} times, one after another, after as many unmeasured. */
    private static Histogram logins(String base, int count) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest login = HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=catalog-admin&password="
                        + BenchmarkApplications.DEMO_PASSWORD))
                .build();
        Histogram latencies = new Histogram(3);
        for (int i = 0; i < 2 * count; i++) {
            long start = System.nanoTime();
            HttpResponse<Void> answer = http.send(login, HttpResponse.BodyHandlers.discarding());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("A login failed: " + answer.statusCode());
            }
            if (i >= count) {
                latencies.recordValue((System.nanoTime() - start) / 1000);
            }
        }
        return latencies;
    }

}
