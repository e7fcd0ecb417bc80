package dev.ficus.toolkit.cdc;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeStream.State;
import dev.ficus.toolkit.cdc.ChangeStreamTestApplication.Recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two instances of one application on one database: one streams, the other takes over. */
class ChangeStreamLeadershipTests {

    @Test
    void onlyOneInstanceStreamsAndAnotherTakesOverWhenItStops() {
        try (ConfigurableApplicationContext first = start();
             ConfigurableApplicationContext second = start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> state(first) == State.STREAMING);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> state(second) == State.STANDBY);

            JdbcClient jdbc = first.getBean(JdbcClient.class);
            jdbc.sql("insert into shelf.items values (1, 'led by the first', 1)").update();
            await().atMost(Duration.ofSeconds(30)).until(() -> recorder(first).of(1).size() == 1);

            first.close();
            // Committed while nobody streams: the next leader must still deliver it.
            JdbcClient survivor = second.getBean(JdbcClient.class);
            survivor.sql("insert into shelf.items values (2, 'between leaders', 1)").update();

            await().atMost(Duration.ofSeconds(60)).until(() -> state(second) == State.STREAMING);
            await().atMost(Duration.ofSeconds(30)).until(() -> recorder(second).of(2).size() == 1);
            assertThat(recorder(second).of(1)).as("what the first handled and saved is not repeated").isEmpty();
        }
    }

    private static ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(ChangeStreamTestApplication.class)
                .web(WebApplicationType.NONE)
                .run("--ficus.embedded-postgres.database=cdc_leadership", "--ficus.cdc.lock-retry-interval=500ms");
    }

    private static State state(ConfigurableApplicationContext context) {
        return context.getBean(ChangeStream.class).state();
    }

    private static Recorder recorder(ConfigurableApplicationContext context) {
        return context.getBean(Recorder.class);
    }
}
