package dev.ficus.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An application's {@code /actuator/prometheus}, read as the benchmarks need it: sums of counters
 * and the buckets of histograms, whose difference over a step gives that step's percentiles.
 */
final class PrometheusScrape {

    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)(?:\\{([^}]*)})? (\\S+)$");
    private static final Pattern BOUND = Pattern.compile("le=\"([^\"]+)\"");

    private final HttpClient client = HttpClient.newHttpClient();
    private final HttpRequest request;

    PrometheusScrape(int port, String user, String password) {
        request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    /** The sum of a metric's samples over all their labels; 0 if there are none (yet). */
    double sum(String metric) {
        return samples(metric).values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** A histogram ({@code <name>_bucket}): bucket upper bound (seconds) to values at or under it, in order. */
    Map<Double, Double> buckets(String histogram) {
        Map<Double, Double> buckets = new TreeMap<>();
        samples(histogram + "_bucket").forEach((labels, count) -> {
            Matcher bound = BOUND.matcher(labels);
            if (bound.find()) {
                buckets.merge(bound.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY
                        : Double.parseDouble(bound.group(1)), count, Double::sum);
            }
        });
        return buckets;
    }

    /**
     * The value (ms) under which {@code quantile} of the values recorded between two readings of
     * a histogram lie: the upper bound of the bucket that reaches it (Micrometer's buckets are
     * about 10% apart). NaN if nothing was recorded.
     */
    static double percentileMillis(Map<Double, Double> before, Map<Double, Double> after, double quantile) {
        double total = count(before, after);
        for (Map.Entry<Double, Double> bucket : after.entrySet()) {
            double count = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0);
            if (total > 0 && count >= quantile * total) {
                return Math.round(bucket.getKey() * 10_000) / 10.0;
            }
        }
        return Double.NaN;
    }

    /** How many values were recorded between two readings of a histogram. */
    static double count(Map<Double, Double> before, Map<Double, Double> after) {
        return after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
    }

    private Map<String, Double> samples(String metric) {
        Map<String, Double> samples = new LinkedHashMap<>();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return samples;
            }
            for (String line : response.body().split("\n")) {
                Matcher sample = SAMPLE.matcher(line);
                if (sample.matches() && sample.group(1).equals(metric)) {
                    samples.put(sample.group(2) == null ? "" : sample.group(2), Double.parseDouble(sample.group(3)));
                }
            }
        }
        catch (IOException e) {
            // not up yet, or gone
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return samples;
    }
}
