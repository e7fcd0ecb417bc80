package dev.ficus.toolkit.problems;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * Clear 4xx problem details for every kind of bad input a servlet web application's JSON API can
 * receive; its HTML pages keep the application's own error handling. {@code ficus.problems.enabled=false}
 * turns it off.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "ficus.problems.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ProblemDetailsProperties.class)
public class ProblemDetailsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ClientErrorAdvice clientErrorAdvice(ObjectProvider<ProblemTranslator> translators) {
        return new ClientErrorAdvice(translators.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingFilterBean(RequestBodyLimitFilter.class)
    FilterRegistrationBean<RequestBodyLimitFilter> requestBodyLimitFilter(ProblemDetailsProperties properties) {
        var registration = new FilterRegistrationBean<>(
                new RequestBodyLimitFilter(properties.maxRequestBody().toBytes()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
