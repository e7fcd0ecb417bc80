package dev.ficus.toolkit.replication;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * In any web application with the replication toolkit, whether or not it replicates itself: its
 * tables may be fenced by the other side of an extraction, and a write to them is then a clear 409.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class FencedWritesAutoConfiguration {

    @Bean
    WritesMovedTranslator writesMovedTranslator() {
        return new WritesMovedTranslator();
    }
}
