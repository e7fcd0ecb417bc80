package dev.ficus.toolkit.problems;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemDetailsAutoConfigurationTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ProblemDetailsAutoConfiguration.class));

    @Test
    void answersProblemsAndLimitsBodiesByDefault() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ClientErrorAdvice.class);
            assertThat(context.getBean("requestBodyLimitFilter", FilterRegistrationBean.class).getFilter())
                    .isInstanceOf(RequestBodyLimitFilter.class);
        });
    }

    @Test
    void turnsOffEntirely() {
        runner.withPropertyValues("ficus.problems.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(ClientErrorAdvice.class);
            assertThat(context).doesNotHaveBean(ProblemDetailsProperties.class);
            assertThat(context).doesNotHaveBean("requestBodyLimitFilter");
        });
    }

    @Test
    void theApplicationsOwnBeansWin() {
        runner.withUserConfiguration(OwnBeans.class).run(context -> {
            assertThat(context).getBean(ClientErrorAdvice.class).isSameAs(context.getBean("ownAdvice"));
            assertThat(context).doesNotHaveBean("requestBodyLimitFilter");
            assertThat(context).hasBean("ownLimit");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {

        @Bean
        ClientErrorAdvice ownAdvice() {
            return new ClientErrorAdvice(List.of());
        }

        @Bean
        FilterRegistrationBean<RequestBodyLimitFilter> ownLimit() {
            return new FilterRegistrationBean<>(new RequestBodyLimitFilter(1));
        }
    }
}
