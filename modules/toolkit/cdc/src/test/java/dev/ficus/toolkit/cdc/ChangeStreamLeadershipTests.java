package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cdc.ChangeStream.State;
import dev.ficus.toolkit.cdc.ChangeStreamTestApplication.Recorder;
import dev.ficus.toolkit.faultproxy.FaultyProxy;

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

    /**
     * A leader stuck in a subscriber stops renewing its lease; the server ends its lock session
     * although the leader never closes it, another instance takes over, and the stuck leader,
     * once it moves again, hands not even the rest of the batch it was in over.
     */
    @Test
    void aStuckLeaderLosesItsLeaseAndAnotherTakesOver() {
        try (ConfigurableApplicationContext first = start("--ficus.cdc.lease=2s", "--ficus.cdc.stall-timeout=3s");
             ConfigurableApplicationContext second = start("--ficus.cdc.lease=2s", "--ficus.cdc.stall-timeout=3s")) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> state(first) == State.STREAMING && state(second) == State.STANDBY);
            JdbcClient jdbc = first.getBean(JdbcClient.class);
            recorder(first).hanging = change -> Long.valueOf(11).equals(((Number) change.row().get("id")).longValue());
            jdbc.sql("insert into shelf.items values (10, 'before', 1)").update();
            await().atMost(Duration.ofSeconds(30)).until(() -> recorder(first).of(10).size() == 1);

            // One transaction: the leader hangs on its first change, with the other two still to hand over.
            jdbc.sql("insert into shelf.items values (11, 'the leader hangs on this one', 1), "
                    + "(12, 'after it, same transaction', 1), (13, 'last of it', 1)").update();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(second) == State.STREAMING);
            await().atMost(Duration.ofSeconds(30)).until(() -> recorder(second).of(13).size() == 1);
            assertThat(recorder(second).of(11)).as("the change the old leader never finished").hasSize(1);
            assertThat(recorder(second).of(12)).hasSize(1);

            recorder(first).released.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder(first).of(11).size() == 1);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> recorder(first).of(12).isEmpty() && recorder(first).of(13).isEmpty());
            assertThat(state(second)).isEqualTo(State.STREAMING);
            jdbc.sql("insert into shelf.items values (14, 'still led by the second', 1)").update();
            await().atMost(Duration.ofSeconds(30)).until(() -> recorder(second).of(14).size() == 1);
            assertThat(recorder(first).of(14)).isEmpty();
        }
    }

    /**
     * The leader cut off from PostgreSQL without a word (its connections blackholed, as a host
     * that vanished): another instance streams within the lease and a connector start, no change
     * is missed, and once the partition heals the old leader hands nothing over.
     */
    @Test
    void aPartitionedLeaderIsReplacedAndNoChangeIsMissed() {
        try (ConfigurableApplicationContext database = start("--ficus.cdc.enabled=false")) {
            String url = database.getBean(JdbcConnectionDetails.class).getJdbcUrl();
            int port = java.net.URI.create(url.substring("jdbc:".length())).getPort();
            JdbcClient jdbc = database.getBean(JdbcClient.class);
            try (FaultyProxy proxy = new FaultyProxy(port);
                 ConfigurableApplicationContext cutOff = start("--ficus.cdc.lease=2s",
                         "--spring.datasource.url=" + url.replace(":" + port + "/", ":" + proxy.port() + "/"),
                         "--spring.datasource.username=postgres")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> state(cutOff) == State.STREAMING);
                try (ConfigurableApplicationContext other = start("--ficus.cdc.lease=2s",
                        "--spring.datasource.url=" + url, "--spring.datasource.username=postgres")) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> state(other) == State.STANDBY);
                    jdbc.sql("insert into shelf.items values (20, 'before the partition', 1)").update();
                    await().atMost(Duration.ofSeconds(30)).until(() -> recorder(cutOff).of(20).size() == 1);

                    proxy.blackhole();
                    for (int id = 21; id <= 25; id++) {
                        jdbc.sql("insert into shelf.items values (?, 'during the partition', 1)").param(id).update();
                    }
                    await().atMost(Duration.ofSeconds(20)).until(() -> state(other) == State.STREAMING);
                    await().atMost(Duration.ofSeconds(30)).until(() -> java.util.stream.IntStream.rangeClosed(21, 25)
                            .allMatch(id -> recorder(other).of(id).size() == 1));

                    // What the old leader's connection carried meanwhile (21 to 25) is held in the proxy
                    // and reaches it now: it must hand none of it over.
                    proxy.heal();
                    jdbc.sql("insert into shelf.items values (26, 'after the partition', 1)").update();
                    await().atMost(Duration.ofSeconds(30)).until(() -> recorder(other).of(26).size() == 1);
                    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> java.util.stream
                            .IntStream.rangeClosed(21, 26).allMatch(id -> recorder(cutOff).of(id).isEmpty()));
                    assertThat(state(other)).isEqualTo(State.STREAMING);
                }
            }
        }
    }

    private static ConfigurableApplicationContext start(String... settings) {
        List<String> arguments = new ArrayList<>(List.of("--ficus.embedded-postgres.database=cdc_leadership",
                "--ficus.cdc.lock-retry-interval=500ms"));
        arguments.addAll(List.of(settings));
        return new SpringApplicationBuilder(ChangeStreamTestApplication.class)
                .web(WebApplicationType.NONE)
                .run(arguments.toArray(String[]::new));
    }

    private static State state(ConfigurableApplicationContext context) {
        return context.getBean(ChangeStream.class).state();
    }

    private static Recorder recorder(ConfigurableApplicationContext context) {
        return context.getBean(Recorder.class);
    }
}
