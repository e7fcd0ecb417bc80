package dev.ficus.toolkit.routing;

import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

import io.getunleash.Unleash;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * Routing by feature flags: a {@link Routers} bean to make routers with, flags from the
 * bootstrap file (and an Unleash server if configured), the {@code routing} actuator endpoint.
 */
@AutoConfiguration
@ConditionalOnClass(Unleash.class)
@EnableConfigurationProperties(RoutingProperties.class)
public class RoutingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    CallContext callContext(RoutingProperties properties) {
        return new RequestCallContext(properties.context());
    }

    @Bean
    @ConditionalOnMissingBean
    Routers routers(RoutingProperties properties, ResourceLoader resources, CallContext context,
            ObjectProvider<JsonMapper> json, ObjectProvider<MeterRegistry> meters) {
        return new Routers(properties, new RoutingFlags(properties.flags(), resources), context,
                contextPropagation(), json.getIfAvailable(() -> JsonMapper.builder().build()),
                meters.getIfAvailable(() -> Metrics.globalRegistry));
    }

    /** Calls to a service run on their own thread (for the time limit): the trace goes along. */
    private static UnaryOperator<Callable<Object>> contextPropagation() {
        if (!ClassUtils.isPresent("io.micrometer.context.ContextSnapshotFactory", null)) {
            return UnaryOperator.identity();
        }
        ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();
        return call -> snapshots.captureAll().wrap(call);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    RoutingEndpoint routingEndpoint(Routers routers) {
        return new RoutingEndpoint(routers);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    RoutingProblems routingProblems() {
        return new RoutingProblems();
    }
}
