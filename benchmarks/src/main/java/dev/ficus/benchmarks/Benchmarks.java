package dev.ficus.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs a benchmark by name and writes its table to the console and its figures as JSON.
 *
 * <pre>
 * java -jar benchmarks/target/ficus-benchmarks.jar cache|cache-cluster|replication|routing|scale-out|events|control-room|identity [--quick] [--out=benchmarks/results/NAME.json]
 * </pre>
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "" : args[0];
        boolean quick = Arrays.asList(args).contains("--quick");
        Path out = Arrays.stream(args).filter(arg -> arg.startsWith("--out="))
                .map(arg -> Path.of(arg.substring("--out=".length())))
                .findFirst()
                .orElse(Path.of("benchmarks", "results", name + ".json"));
        Report report = switch (name) {
            case "cache" -> new CacheBenchmark(quick).run();
            case "cache-cluster" -> new CacheClusterBenchmark(quick).run();
            case "replication" -> new ReplicationBenchmark(quick).run();
            case "routing" -> new RoutingBenchmarks(quick).run();
            case "scale-out" -> new ScaleOutBenchmark(quick).run();
            case "events" -> new EventsBenchmark(quick).run();
            case "control-room" -> new ControlRoomBenchmark(quick).run();
            case "identity" -> new IdentityBenchmark(quick).run();
            default -> {
                System.err.println("Usage: java -jar benchmarks/target/ficus-benchmarks.jar cache|cache-cluster|replication|routing|scale-out|events|control-room|identity [--quick] [--out=FILE]");
                System.exit(2);
                yield null;
            }
        };
        report.print(System.out);
        report.writeJson(out);
        System.out.println("Figures written to " + out.toAbsolutePath());
        System.exit(0);
    }
}
