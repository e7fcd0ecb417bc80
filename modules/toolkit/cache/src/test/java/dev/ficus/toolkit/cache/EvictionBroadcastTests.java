package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cache.CacheTestApplication.Depot;
import dev.ficus.toolkit.cdc.ChangeStream;
import dev.ficus.toolkit.cdc.ChangeStream.State;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two instances, one streaming: the other's caches are kept correct too. */
class EvictionBroadcastTests {

    @Test
    void anInstanceThatDoesNotStreamStillEvictsWhatChanged() {
        try (ConfigurableApplicationContext leader = start();
             ConfigurableApplicationContext follower = start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> state(leader) == State.STREAMING);
            await().atMost(Duration.ofSeconds(10)).until(() -> state(follower) == State.STANDBY);
            await().atMost(Duration.ofSeconds(10)).until(() -> follower.getBean(EvictionBroadcast.class).listening());

            JdbcClient jdbc = leader.getBean(JdbcClient.class);
            jdbc.sql("insert into depot.things values (1, 'C1', 'before')").update();
            Depot followersDepot = follower.getBean(Depot.class);
            assertThat(followersDepot.names().get(1L)).contains("before");
            assertThat(followersDepot.namesByCode().get("C1")).contains("before");

            jdbc.sql("update depot.things set name = 'after' where id = 1").update();

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> followersDepot.names().get(1L), Optional.of("after")::equals);
            assertThat(followersDepot.namesByCode().get("C1")).contains("after");
        }
    }

    private static ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(CacheTestApplication.class)
                .web(WebApplicationType.NONE)
                .run("--ficus.embedded-postgres.database=cache_broadcast", "--ficus.cdc.lock-retry-interval=500ms");
    }

    private static State state(ConfigurableApplicationContext context) {
        return context.getBean(ChangeStream.class).state();
    }
}
