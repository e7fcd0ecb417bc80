package dev.ficus.toolkit.replication;

import java.io.PrintStream;
import java.util.Arrays;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code <application> reconcile [--repair]}: starts the application without its web server and
 * without streaming, reconciles every replicated table, prints what it found and exits: 0 when
 * both sides agree (or every mismatch was repaired), 1 otherwise.
 */
public final class ReconcileCommand {

    public static final String NAME = "reconcile";
    public static final String REPAIR = "--repair";

    private ReconcileCommand() {
    }

    public static boolean requested(String... args) {
        return args.length > 0 && args[0].equals(NAME);
    }

    /** Runs the command with the application {@code application} builds; returns the exit code. */
    public static int run(SpringApplicationBuilder application, PrintStream out, String... args) {
        boolean repair = Arrays.asList(args).contains(REPAIR);
        String[] settings = Arrays.stream(args).skip(1).filter(arg -> !arg.equals(REPAIR)).toArray(String[]::new);
        try (ConfigurableApplicationContext context = application.web(WebApplicationType.NONE)
                .properties("ficus.replication.streaming=false", "spring.main.banner-mode=off")
                .run(settings)) {
            ReconciliationReport report = context.getBean(Replication.class).reconcile(repair);
            print(report, out);
            return report.mismatches() == 0 || repair ? 0 : 1;
        }
    }

    static void print(ReconciliationReport report, PrintStream out) {
        out.printf("%-28s %12s %12s %9s %11s %10s %9s %9s %9s%n", "table", "source rows", "rows here", "missing",
                "unexpected", "different", "in flight", "repaired", "conflicts");
        for (ReconciliationReport.TableReport table : report.tables()) {
            out.printf("%-28s %12d %12d %9d %11d %10d %9d %9d %9d%n", table.table(), table.sourceRows(),
                    table.targetRows(), table.missing(), table.unexpected(), table.different(), table.inFlight(),
                    table.repaired(), table.conflicts());
            table.mismatchedKeys().forEach(key -> out.println("  mismatch: " + key));
        }
        out.printf("%d mismatches%s in %d ms%n", report.mismatches(), report.repaired() ? ", repaired" : "",
                report.took().toMillis());
        if (!report.streamCaughtUp()) {
            out.println("The stream was not current (stopped, or far behind): some mismatches may be changes in flight.");
        }
    }
}
