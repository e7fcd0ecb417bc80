package dev.ficus.benchmarks;

import java.math.BigDecimal;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.ficus.toolkit.routing.CallContext;
import dev.ficus.toolkit.routing.Caller;
import dev.ficus.toolkit.routing.Route;
import dev.ficus.toolkit.routing.RoutingAutoConfiguration;
import dev.ficus.toolkit.routing.Routers;

/**
 * JMH: a read through a router, in each route, against the same read called directly. Module and
 * "service" are the same in-process implementation, so what differs is the routing: the caller's
 * identity, the flags' decision (remembered per caller, or Unleash's engine each time when the
 * decision cache is off), and in SHADOW handing a copy of the call to the shadow queue, in EXTRACTED
 * the circuit breaker and the time limiter's hand-off to another thread.
 */
public class RoutingBenchmark {

    /** A module API with one read. */
    public interface Products {

        Item find(String key);
    }

    public record Item(String key, String name, BigDecimal price, long version) {
    }

    /** An in-memory module: a read is a lookup, as a cache hit is. */
    static final class InMemoryProducts implements Products {

        private final Item[] items = new Item[1024];

        InMemoryProducts() {
            for (int i = 0; i < items.length; i++) {
                items[i] = new Item("SKU-" + i, "Product " + i, BigDecimal.valueOf(1000 + i, 2), 1);
            }
        }

        @Override
        public Item find(String key) {
            return items[Integer.parseInt(key, 4, key.length(), 10) & 1023];
        }
    }

    static final String[] KEYS = new String[1024];
    static final String[] USERS = new String[4096];

    static {
        for (int i = 0; i < KEYS.length; i++) {
            KEYS[i] = "SKU-" + i;
        }
        for (int i = 0; i < USERS.length; i++) {
            USERS[i] = "user-" + i;
        }
    }

    /** Each call is made for the next of 4,096 users. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(RoutingAutoConfiguration.class)
    static class RoutedApplication {

        private int next;

        @Bean
        CallContext callContext() {
            return () -> new Caller(USERS[next++ & 4095], null, "10.0.0.1");
        }
    }

    @State(Scope.Thread)
    public static class Direct {

        final Products products = new InMemoryProducts();
        int next;
    }

    @State(Scope.Thread)
    public static class Routed {

        @Param({"MONOLITH", "SHADOW", "CANARY", "EXTRACTED"})
        public String route;

        /** {@code ficus.routing.flags.decision-cache}: {@code 0} asks Unleash's engine every time. */
        @Param({"16MB", "0"})
        public String decisionCache;

        Products products;
        Routers routers;
        ConfigurableApplicationContext context;
        int next;

        @Setup
        public void start() {
            context = new SpringApplicationBuilder(RoutedApplication.class)
                    .web(WebApplicationType.NONE)
                    .logStartupInfo(false)
                    .properties("spring.config.name=routing-benchmark", "spring.main.banner-mode=off",
                            "logging.level.root=warn",
                            "ficus.routing.flags.bootstrap=classpath:routing-flags/" + route.toLowerCase() + ".json",
                            "ficus.routing.flags.decision-cache=" + decisionCache,
                            "ficus.routing.capabilities.products.methods=find",
                            "ficus.routing.capabilities.products.timeout=1s")
                    .run();
            routers = context.getBean(Routers.class);
            products = routers.route(Products.class, new InMemoryProducts(), new InMemoryProducts());
        }

        @TearDown
        public void stop() {
            context.close();
        }
    }

    @Benchmark
    public Item direct(Direct state) {
        return state.products.find(KEYS[state.next++ & 1023]);
    }

    @Benchmark
    public Item routed(Routed state) {
        return state.products.find(KEYS[state.next++ & 1023]);
    }

    /** The routing decision alone: which route the next caller's call takes. */
    @Benchmark
    public Route decide(Routed state) {
        return state.routers.routeFor("products", new Caller(USERS[state.next++ & 4095], null, "10.0.0.1"));
    }
}
