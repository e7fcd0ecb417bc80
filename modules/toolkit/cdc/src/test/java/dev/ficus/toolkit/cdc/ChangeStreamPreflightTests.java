package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A PostgreSQL that cannot be streamed from (here: wal_level = replica, as many servers have by default). */
class ChangeStreamPreflightTests {

    @Test
    void aServerWithoutLogicalDecodingStopsTheApplicationWithWhatToDo() {
        assertThatThrownBy(ChangeStreamPreflightTests::start)
                .hasStackTraceContaining("wal_level is 'replica'")
                .hasStackTraceContaining("wal_level = logical")
                .hasStackTraceContaining("ficus.cdc.fail-fast=false");
    }

    @Test
    void startedAnywayTheStreamSaysWhyAndTriesAgainLater() {
        try (ConfigurableApplicationContext application = start("--ficus.cdc.fail-fast=false",
                "--ficus.cdc.restart-backoff=100ms", "--ficus.cdc.max-restart-backoff=400ms")) {
            ChangeStream stream = application.getBean(ChangeStream.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> stream.state() == ChangeStream.State.FAILED
                    && stream.lastError().orElse("").contains("wal_level is 'replica'"));
            assertThat(stream.currentAsOf()).as("nothing streamed").isEmpty();
        }
    }

    private static ConfigurableApplicationContext start(String... settings) {
        List<String> arguments = new ArrayList<>(List.of("--ficus.embedded-postgres.database=cdc_preflight",
                "--ficus.embedded-postgres.server-settings.wal_level=replica"));
        arguments.addAll(List.of(settings));
        return new SpringApplicationBuilder(ChangeStreamTestApplication.class)
                .web(WebApplicationType.NONE)
                .run(arguments.toArray(String[]::new));
    }
}
