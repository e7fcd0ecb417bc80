package dev.ficus.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * HTTP load from wrk, a separate native process, so that the load generator costs the server as
 * little CPU as possible: {@code connections} keep-alive connections, each sending its next
 * request as soon as the previous one is answered, for a fixed time, after a warm-up.
 */
final class HttpLoad {

    record Result(double requestsPerSecond, double p50Micros, double p99Micros, long requests, long errors) {

        /** The figures of a report's row: requests/s, p50 and p99 in µs, errors. */
        Map<String, Object> figures() {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("requests/s", Math.round(requestsPerSecond));
            figures.put("p50 µs", Math.round(p50Micros));
            figures.put("p99 µs", Math.round(p99Micros));
            figures.put("errors", errors);
            return figures;
        }
    }

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private final int connections;
    private final Duration warmUp;
    private final Duration measure;
    private final Duration pause;
    private final Map<String, String> headers;

    HttpLoad(int connections, Duration warmUp, Duration measure) {
        this(connections, warmUp, measure, Duration.ZERO);
    }

    /**
     * @param pause how long each connection waits after an answer before its next request: a
     *              steady load of at most connections / pause requests a second, rather than all
     *              the server can take
     */
    HttpLoad(int connections, Duration warmUp, Duration measure, Duration pause) {
        this(connections, warmUp, measure, pause, Map.of());
    }

    private HttpLoad(int connections, Duration warmUp, Duration measure, Duration pause, Map<String, String> headers) {
        this.connections = connections;
        this.warmUp = warmUp;
        this.measure = measure;
        this.pause = pause;
        this.headers = headers;
    }

    /** The same load, every request carrying this header too (a bearer token, say). */
    HttpLoad withHeader(String name, String value) {
        Map<String, String> more = new java.util.LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpLoad(connections, warmUp, measure, pause, more);
    }

    /** GETs one of {@code urls} (same host), picked at random per request. */
    Result run(List<URI> urls) throws IOException, InterruptedException {
        return run(urls, null);
    }

    /**
     * As {@link #run(List)}, but the measured run ends when {@code until} completes (wrk is
     * interrupted and reports what it measured so far), or after the measure time at the latest.
     */
    Result run(List<URI> urls, java.util.concurrent.Future<?> until) throws IOException, InterruptedException {
        Path script = Files.createTempFile("ficus-load", ".lua");
        try {
            Files.writeString(script, "local paths = {" + urls.stream()
                    .map(url -> "\"" + url.getRawPath() + "\"").collect(Collectors.joining(","))
                    + "}\nlocal headers = {" + headers.entrySet().stream()
                            .map(header -> "[\"" + header.getKey() + "\"] = \"" + header.getValue() + "\"")
                            .collect(Collectors.joining(","))
                    + "}\nrequest = function() return wrk.format(\"GET\", paths[math.random(#paths)], headers) end\n"
                    + (pause.isZero() ? "" : "delay = function() return " + pause.toMillis() + " end\n"));
            String base = urls.getFirst().getScheme() + "://" + urls.getFirst().getAuthority() + "/";
            if (!warmUp.isZero()) {
                wrk(script, base, warmUp);
            }
            return parse(wrk(script, base, measure, until));
        }
        finally {
            Files.deleteIfExists(script);
        }
    }

    private String wrk(Path script, String base, Duration duration) throws IOException, InterruptedException {
        return wrk(script, base, duration, null);
    }

    private String wrk(Path script, String base, Duration duration, java.util.concurrent.Future<?> until)
            throws IOException, InterruptedException {
        Process wrk;
        try {
            wrk = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s",
                    "--latency", "-s", script.toString(), base).redirectErrorStream(true).start();
        }
        catch (IOException e) {
            throw new IllegalStateException("The HTTP benchmarks need wrk: apt-get install wrk", e);
        }
        if (until != null) {
            Process running = wrk;
            Thread.ofVirtual().start(() -> {
                try {
                    until.get();
                    // wrk stops on SIGINT and prints what it measured.
                    new ProcessBuilder("kill", "-INT", Long.toString(running.pid())).start().waitFor();
                }
                catch (Exception e) {
                    running.destroy();
                }
            });
        }
        String output = new String(wrk.getInputStream().readAllBytes());
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + output);
        }
        return output;
    }

    private static Result parse(String output) {
        long errors = find(NON_2XX, output).map(Long::parseLong).orElse(0L);
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int group = 1; group <= 4; group++) {
                errors += Long.parseLong(socket.group(group));
            }
        }
        return new Result(Double.parseDouble(find(RATE, output).orElseThrow()),
                percentileMicros(output, "50%"), percentileMicros(output, "99%"),
                Long.parseLong(find(TOTAL, output).orElseThrow()), errors);
    }

    /** wrk prints "50%  812.00us", "99%    3.41ms" or "99%    1.02s". */
    private static double percentileMicros(String output, String percentile) {
        Matcher line = Pattern.compile(Pattern.quote(percentile) + "\\s+([\\d.]+)(us|ms|s)").matcher(output);
        if (!line.find()) {
            throw new IllegalStateException("No " + percentile + " latency in wrk's output:\n" + output);
        }
        double value = Double.parseDouble(line.group(1));
        return switch (line.group(2)) {
            case "us" -> value;
            case "ms" -> value * 1_000;
            default -> value * 1_000_000;
        };
    }

    private static java.util.Optional<String> find(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        return matcher.find() ? java.util.Optional.of(matcher.group(1)) : java.util.Optional.empty();
    }
}
