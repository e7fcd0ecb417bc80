package dev.ficus.toolkit.messaging;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.ficus.toolkit.routing.Route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Event routes against PostgreSQL, with flags that send {@code shelving} to the service: the route
 * each event took, the switch, and the handover once the module acted on all it was given.
 */
@SpringBootTest(classes = MessagingTestApplication.class)
class EventRoutesTests {

    @Autowired
    JdbcEventRoutes routes;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate transactions;

    /** As the table stands before the flags turned: events go to the module. */
    @BeforeEach
    void routedToTheModule() {
        jdbc.sql("update messaging.route_switches set route = 'MONOLITH', handed_over_at = null where capability = 'shelving'")
                .update();
        jdbc.sql("update messaging.event_routes set acted_at = now() where acted_at is null").update();
    }

    @Test
    void eachEventKeepsTheRouteItWasGivenAndTheServiceIsToldOnceTheModuleActedOnAllOfItsOwn() {
        String early = key();
        assertThat(decide(early)).isEqualTo(Route.MONOLITH);

        routes.follow();
        assertThat(routes.states().get("shelving").route()).isEqualTo(Route.EXTRACTED);
        String late = key();
        assertThat(decide(late)).isEqualTo(Route.EXTRACTED);
        assertThat(decide(early)).as("decided before the switch").isEqualTo(Route.MONOLITH);
        assertThat(routes.routeOf("shelving", early)).isEqualTo(Route.MONOLITH);
        assertThat(routes.routeOf("shelving", "never-seen")).isEqualTo(Route.MONOLITH);

        routes.follow();
        assertThat(routes.states().get("shelving").pendingHere()).isEqualTo(1);
        assertThat(routes.states().get("shelving").handedOverAt()).as("the module still owes an event").isNull();
        assertThat(handovers()).isZero();

        transactions.executeWithoutResult(status -> routes.actedOn("shelving", early));
        routes.follow();
        routes.follow();
        assertThat(routes.states().get("shelving").handedOverAt()).isNotNull();
        assertThat(handovers()).as("told once").isEqualTo(1);
    }

    @Test
    void aSwitchWaitsForEveryEventThatReadTheOldRouteSoNoneIsMissedByTheHandover() throws Exception {
        String inFlight = key();
        CountDownLatch decided = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> transactions.executeWithoutResult(status -> {
            routes.decide("shelving", inFlight);
            decided.countDown();
            waitFor(commit);
        }));
        assertThat(decided.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> switching = CompletableFuture.runAsync(routes::follow);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> !switching.isDone());
        commit.countDown();
        publisher.get(10, TimeUnit.SECONDS);
        switching.get(10, TimeUnit.SECONDS);

        assertThat(routes.states().get("shelving").route()).isEqualTo(Route.EXTRACTED);
        assertThat(routes.routeOf("shelving", inFlight)).isEqualTo(Route.MONOLITH);
        assertThat(routes.states().get("shelving").pendingHere()).as("the in-flight event is the module's to act on")
                .isEqualTo(1);
    }

    @Test
    void aRouteIsDecidedInTheTransactionOfItsEventAndOnlyForRoutedCapabilities() {
        assertThatThrownBy(() -> routes.decide("shelving", key())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> transactions.executeWithoutResult(status -> routes.decide("elsewhere", key())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shelving");
    }

    private Route decide(String key) {
        return transactions.execute(status -> routes.decide("shelving", key));
    }

    private long handovers() {
        return jdbc.sql("select count(*) from messaging.outbox where type = 'RouteHandedOver' and created_at > "
                + "(select switched_at from messaging.route_switches where capability = 'shelving')")
                .query(Long.class).single();
    }

    private static String key() {
        return UUID.randomUUID().toString();
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
