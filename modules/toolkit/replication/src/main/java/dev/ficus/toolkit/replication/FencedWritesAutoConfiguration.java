package dev.ficus.toolkit.replication;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

import dev.ficus.toolkit.problems.ProblemTranslator;

/**
 * In any web application with the replication toolkit and the problem-details one, whether or not
 * it replicates itself: its tables may be fenced by the other side of an extraction, and a write to
 * them is then a clear 409.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(ProblemTranslator.class)
public class FencedWritesAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "writesMovedTranslator")
    WritesMovedTranslator writesMovedTranslator() {
        return new WritesMovedTranslator();
    }
}
