package dev.ficus.shop;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The threads asynchronous module listeners run on: a fixed number, and a line for the rest. A
 * listener waiting in line is no risk: its publication stays incomplete in the registry until it
 * ran, and is delivered again after a crash. (A concurrency limit on the default executor would
 * make the publisher wait instead, and listeners that publish would wait on one another.)
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ListenerThreads.Settings.class)
class ListenerThreads {

    /** @param listenerThreads asynchronous module listeners running at once, at most */
    @ConfigurationProperties("ficus.events")
    record Settings(@DefaultValue("8") int listenerThreads) {
    }

    @Bean(name = {"applicationTaskExecutor", "taskExecutor"})
    ThreadPoolTaskExecutor applicationTaskExecutor(Settings settings) {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setCorePoolSize(settings.listenerThreads());
        executor.setMaxPoolSize(settings.listenerThreads());
        executor.setThreadNamePrefix("listener-");
        return executor;
    }
}
