package dev.ficus.toolkit.routing;

import java.net.ConnectException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.ResourceAccessException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Routing of a small API between a "module" and a "service" implementation by the flags of a
 * bootstrap file, as the Unleash client evaluates them. (Calls over real HTTP to a real service
 * are in the system tests.)
 */
class RoutingTests {

    /** A module's API: two reads and a write, in two capabilities. */
    interface Greetings {

        String greet(String name);

        Optional<Greeting> find(String name);

        Greeting rename(String from, String to);
    }

    record Greeting(String name, String text, long version) {
    }

    /** Answers as the module would, counting its calls; a test may make it fail or hang. */
    static class Greeter implements Greetings {

        final String who;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();
        volatile RuntimeException failure;
        /** While set, calls wait for it: a service that does not answer until the test lets it. */
        volatile CountDownLatch hang;
        volatile String text = "hello";

        Greeter(String who) {
            this.who = who;
        }

        @Override
        public String greet(String name) {
            calls.incrementAndGet();
            misbehave();
            return text + " " + name;
        }

        @Override
        public Optional<Greeting> find(String name) {
            calls.incrementAndGet();
            misbehave();
            if (name.equals("nobody")) {
                return Optional.empty();
            }
            if (name.equals("forbidden")) {
                throw new IllegalArgumentException("not a name: forbidden");
            }
            return Optional.of(new Greeting(name, text, 3));
        }

        @Override
        public Greeting rename(String from, String to) {
            writes.incrementAndGet();
            misbehave();
            return new Greeting(to, text, 4);
        }

        private void misbehave() {
            if (failure != null) {
                throw failure;
            }
            CountDownLatch answerWhen = hang;
            if (answerWhen != null) {
                try {
                    answerWhen.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The user each call is made for, set by the test. */
    static final ThreadLocal<String> USER = new ThreadLocal<>();

    private final Greeter module = new Greeter("module");
    private final Greeter service = new Greeter("service");

    private void withRouter(String flags, Consumer<Routed> test) {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RoutingAutoConfiguration.class))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(CallContext.class, () -> () -> new Caller(USER.get(), null, null))
                .withPropertyValues(
                        "ficus.routing.flags.bootstrap=classpath:flags/" + flags,
                        "ficus.routing.capabilities.greetings.methods=greet,find",
                        "ficus.routing.capabilities.greetings.timeout=300ms",
                        "ficus.routing.capabilities.greetings.ignored-fields=version",
                        "ficus.routing.capabilities.greetings.minimum-calls=4",
                        "ficus.routing.capabilities.greetings.open-for=1s",
                        "ficus.routing.capabilities.renames.methods=rename",
                        "ficus.routing.capabilities.renames.writes=true",
                        "ficus.routing.capabilities.renames.timeout=300ms")
                .run(context -> {
                    Routers routers = context.getBean(Routers.class);
                    test.accept(new Routed(routers.route(Greetings.class, module, service), routers,
                            context.getBean(MeterRegistry.class)));
                });
    }

    record Routed(Greetings greetings, Routers routers, MeterRegistry meters) {

        CapabilityStatus status(String capability) {
            return routers.status().get(capability);
        }

        double fallbacks(String reason) {
            return meters.find("ficus.routing.fallbacks").tag("reason", reason).counters().stream()
                    .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        }
    }

    @Test
    void withoutFlagsEveryCallStaysInTheMonolith() {
        withRouter("none.json", routed -> {
            assertThat(routed.greetings().greet("ada")).isEqualTo("hello ada");
            routed.greetings().rename("ada", "grace");
            assertThat(module.calls.get() + module.writes.get()).isEqualTo(2);
            assertThat(service.calls.get() + service.writes.get()).isZero();
            assertThat(routed.status("greetings").route()).isEqualTo(Route.MONOLITH);
        });
    }

    @Test
    void shadowServesTheModuleComparesWithTheServiceAndNeverShadowsWrites() {
        withRouter("shadow.json", routed -> {
            assertThat(routed.status("greetings").route()).isEqualTo(Route.SHADOW);
            assertThat(routed.status("renames").route()).as("writes are never shadowed").isEqualTo(Route.MONOLITH);
            for (int i = 0; i < 20; i++) {
                assertThat(routed.greetings().greet("user " + i)).isEqualTo("hello user " + i);
            }
            assertThat(routed.greetings().find("nobody")).isEmpty();
            assertThatThrownBy(() -> routed.greetings().find("forbidden")).isInstanceOf(IllegalArgumentException.class);
            routed.greetings().rename("ada", "grace");
            await().atMost(Duration.ofSeconds(10)).until(() -> routed.status("greetings").shadowMatches() == 22);
            assertThat(routed.status("greetings").shadowMismatches()).isZero();
            assertThat(service.writes.get()).isZero();
            assertThat(module.writes.get()).isEqualTo(1);

            service.text = "bonjour";
            routed.greetings().find("ada");
            await().atMost(Duration.ofSeconds(10)).until(() -> routed.status("greetings").shadowMismatches() == 1);
            ShadowMismatch mismatch = routed.status("greetings").recentMismatches().getFirst();
            assertThat(mismatch.call()).isEqualTo("find[ada]");
            assertThat(mismatch.differences()).containsExactly("/text");
            assertThat(mismatch.monolith().get("text").asString()).isEqualTo("hello");
            assertThat(mismatch.service().get("text").asString()).isEqualTo("bonjour");
            assertThat(mismatch.monolith().has("version")).as("ignored field").isFalse();
        });
    }

    @Test
    void aCanarySendsAStickyQuarterOfUsersToTheService() {
        withRouter("canary-25.json", routed -> {
            assertThat(routed.status("greetings").route()).isEqualTo(Route.CANARY);
            assertThat(routed.status("greetings").serviceShare()).isEqualTo(25);
            service.text = "service";
            Map<String, String> firstAnswer = new HashMap<>();
            int users = 2000;
            for (int round = 0; round < 3; round++) {
                for (int user = 0; user < users; user++) {
                    USER.set("user-" + user);
                    String answer = routed.greetings().greet("x");
                    String before = firstAnswer.putIfAbsent("user-" + user, answer);
                    assertThat(before == null || before.equals(answer)).as("user-%d is sticky", user).isTrue();
                }
            }
            USER.remove();
            firstAnswer.forEach((user, answer) -> assertThat(routed.routers()
                    .routeFor("greetings", new Caller(user, null, null)))
                    .as("the route %s is told it takes", user)
                    .isEqualTo(answer.startsWith("service") ? Route.EXTRACTED : Route.MONOLITH));
            long toService = firstAnswer.values().stream().filter(answer -> answer.startsWith("service")).count();
            assertThat(toService / (double) users).isBetween(0.22, 0.28);
        });
    }

    @Test
    void extractedCallsFallBackToTheModuleOnErrorsTimeoutsAndAnOpenCircuit() {
        withRouter("extracted.json", routed -> {
            service.text = "service";
            assertThat(routed.status("greetings").route()).isEqualTo(Route.EXTRACTED);
            assertThat(routed.greetings().greet("ada")).isEqualTo("service ada");
            assertThat(routed.greetings().find("nobody")).as("the service's 'not found' is an answer").isEmpty();
            assertThatThrownBy(() -> routed.greetings().find("forbidden")).isInstanceOf(IllegalArgumentException.class);
            assertThat(module.calls.get()).isZero();

            service.failure = new ResourceAccessException("Connection refused");
            assertThat(routed.greetings().greet("ada")).isEqualTo("hello ada");
            service.failure = null;
            service.hang = new CountDownLatch(1);
            assertThat(routed.greetings().greet("ada")).isEqualTo("hello ada");
            assertThat(routed.fallbacks("failure")).isEqualTo(1);
            assertThat(routed.fallbacks("timeout")).isEqualTo(1);

            service.hang.countDown();
            service.hang = null;
            service.failure = new ResourceAccessException("Connection refused");
            for (int i = 0; i < 4; i++) {
                assertThat(routed.greetings().greet("ada")).isEqualTo("hello ada");
            }
            assertThat(routed.status("greetings").circuit()).isEqualTo("OPEN");
            int serviceCalls = service.calls.get();
            double openCircuitFallbacks = routed.fallbacks("open-circuit");
            assertThat(routed.greetings().greet("ada")).isEqualTo("hello ada");
            assertThat(service.calls.get()).as("an open circuit spares the service").isEqualTo(serviceCalls);
            assertThat(routed.fallbacks("open-circuit")).isEqualTo(openCircuitFallbacks + 1);

            service.failure = null;
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> routed.greetings().greet("ada").equals("service ada")
                            && routed.status("greetings").circuit().equals("CLOSED"));
        });
    }

    @Test
    void aWriteIsMadeInTheModuleOnlyWhenTheServiceSurelyDidNotMakeIt() {
        withRouter("extracted.json", routed -> {
            assertThat(routed.greetings().rename("a", "b")).isEqualTo(new Greeting("b", "hello", 4));
            assertThat(service.writes.get()).isEqualTo(1);

            service.failure = new ResourceAccessException("I/O error", new ConnectException("Connection refused"));
            routed.greetings().rename("a", "c");
            assertThat(module.writes.get()).as("never reached the service: made in the module").isEqualTo(1);

            service.failure = null;
            service.hang = new CountDownLatch(1);
            assertThatThrownBy(() -> routed.greetings().rename("a", "d")).isInstanceOf(ExtractedServiceFailed.class);
            assertThat(module.writes.get()).as("may have been made by the service: not repeated").isEqualTo(1);
            service.hang.countDown();
        });
    }

    @Test
    void closingAnotherApplicationLeavesThisOnesFlagsWorking() {
        withRouter("extracted.json", routed -> {
            withRouter("none.json", other -> assertThat(other.greetings().greet("ada")).isEqualTo("hello ada"));
            service.text = "service";
            assertThat(routed.greetings().greet("grace")).isEqualTo("service grace");
            assertThat(routed.greetings().find("grace")).map(Greeting::text).contains("service");
        });
    }

    @Test
    void everyMethodMustBelongToExactlyOneCapability() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RoutingAutoConfiguration.class))
                .withPropertyValues("ficus.routing.flags.bootstrap=classpath:flags/none.json",
                        "ficus.routing.capabilities.greetings.methods=greet")
                .run(context -> assertThatThrownBy(() -> context.getBean(Routers.class)
                        .route(Greetings.class, module, service))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("Greetings.")
                        .hasMessageContaining("belongs to 0 routed capabilities"));
        assertThat(List.of(module.calls.get(), service.calls.get())).containsOnly(0);
    }
}
