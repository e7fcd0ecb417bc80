package dev.ficus.toolkit.limits;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * Rate and concurrency limits per endpoint class ({@code ficus.limits.classes.*}) for a servlet
 * application. The filter runs right after Spring Security's, so an authenticated client is
 * limited by its principal. {@code ficus.limits.enabled=false} turns it off.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "ficus.limits.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LimitsProperties.class)
public class RequestLimitsAutoConfiguration {

    /** Spring Security's filter chain runs at -100 unless told otherwise. */
    static final int ORDER = -99;

    @Bean
    @ConditionalOnMissingFilterBean(RequestLimitsFilter.class)
    FilterRegistrationBean<RequestLimitsFilter> requestLimitsFilter(LimitsProperties properties,
            ObjectProvider<MeterRegistry> meters) {
        List<EndpointLimits> classes = properties.classes().entrySet().stream()
                .sorted(java.util.Map.Entry.<String, LimitsProperties.EndpointClass>comparingByValue(
                        java.util.Comparator.comparingInt(LimitsProperties.EndpointClass::order))
                        .thenComparing(java.util.Map.Entry.comparingByKey()))
                .map(entry -> new EndpointLimits(entry.getKey(), entry.getValue(), properties.maximumClients()))
                .toList();
        var registration = new FilterRegistrationBean<>(
                new RequestLimitsFilter(classes, meters.getIfAvailable(SimpleMeterRegistry::new)));
        registration.setOrder(ORDER);
        return registration;
    }
}
