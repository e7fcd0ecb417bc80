package dev.ficus.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus configuration and alert rules in {@code observability/}, checked by Prometheus's
 * own {@code promtool} (Debian's {@code prometheus} package): the configuration loads, the rules
 * parse, and their unit tests ({@code alerts-test.yml}) pass, each alert firing on the series that
 * should page and staying silent on a healthy one.
 */
class AlertRulesTests {

    private static final Path OBSERVABILITY = Path.of("..", "observability");

    @Test
    void theScrapeConfigurationLoads() throws Exception {
        assertThat(promtool("check", "config", "prometheus.yml")).contains("SUCCESS");
    }

    @Test
    void theAlertRulesParse() throws Exception {
        assertThat(promtool("check", "rules", "alerts.yml")).contains("SUCCESS: 9 rules found");
    }

    @Test
    void eachAlertFiresWhenItShouldAndOnlyThen() throws Exception {
        assertThat(promtool("test", "rules", "alerts-test.yml")).contains("SUCCESS");
    }

    /** Runs promtool in observability/; its output, once it exited 0. */
    private static String promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile("promtool", ".txt");
        Process process;
        try {
            process = new ProcessBuilder(command).directory(OBSERVABILITY.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
        }
        catch (IOException e) {
            throw new IllegalStateException("promtool is missing: install Debian's prometheus package "
                    + "(.ci/run does when it is missing)", e);
        }
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("promtool finished").isTrue();
        String printed = Files.readString(output);
        assertThat(process.exitValue()).as("promtool %s exit code; it printed:%n%s", arguments, printed).isZero();
        return printed;
    }
}
