package dev.ficus.toolkit.controlroom;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.runtime.ApplicationModulesRuntime;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

import dev.ficus.toolkit.cdc.DeadLetters;
import dev.ficus.toolkit.messaging.EventDeadLetters;
import dev.ficus.toolkit.operations.OperationsSecurityAutoConfiguration;
import dev.ficus.toolkit.routing.RoutingAutoConfiguration;
import dev.ficus.toolkit.routing.Routers;

/**
 * The migration control room, for an application that routes capabilities: the page and its
 * readiness report under {@code <management base path>/control-room}, for operators only, with
 * a CSRF token on every action (the browser sends the operator's credentials by itself).
 */
@AutoConfiguration(after = {OperationsSecurityAutoConfiguration.class, RoutingAutoConfiguration.class},
        afterName = {"org.springframework.modulith.runtime.autoconfigure.SpringModulithRuntimeAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "dev.ficus.toolkit.cdc.ChangeStreamAutoConfiguration",
                "dev.ficus.toolkit.messaging.MessagingAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(Routers.class)
@ConditionalOnProperty(name = "ficus.control-room.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ControlRoomProperties.class)
@Import(ControlRoomController.class)
public class ControlRoomAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ServiceWatch controlRoomServiceWatch(ControlRoomProperties properties) {
        return new ServiceWatch(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    ControlRoom controlRoom(ControlRoomProperties properties, Routers routers, ServiceWatch services,
            ObjectProvider<ModuleModel> model, ObjectProvider<SchemaFacts> schemas, MeterRegistry meters) {
        return new ControlRoom(properties, routers, services, model.getIfAvailable(() -> ModuleModel.NONE),
                schemas.getIfUnique(), meters);
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 10)
    @ConditionalOnMissingBean(name = "controlRoomSecurity")
    SecurityFilterChain controlRoomSecurity(HttpSecurity http, Environment environment) {
        String path = environment.getProperty("management.endpoints.web.base-path", "/actuator") + "/control-room";
        return http.securityMatcher(path, path + "/**")
                .authorizeHttpRequests(requests -> requests.anyRequest()
                        .hasRole(OperationsSecurityAutoConfiguration.OPERATOR))
                .httpBasic(Customizer.withDefaults())
                // A browser keeps a session: the password is checked once, not at every refresh (once
                // checked, an in-memory user's password is kept as a bcrypt hash, ~80 ms a check). The
                // session keeps the CSRF token each action must send back in its form: a page of
                // another site can make the browser post, with its credentials, but not read the token.
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                .build();
    }

    /** Each module's tables and what crosses schemas, from the application's database. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JdbcClient.class)
    static class SchemaConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnSingleCandidate(DataSource.class)
        SchemaFacts controlRoomSchemaFacts(DataSource dataSource) {
            return new SchemaFacts(JdbcClient.create(dataSource));
        }
    }

    /** The monolith's own change stream's dead letters, when it has one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.ficus.toolkit.cdc.DeadLetters")
    static class StreamConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnSingleCandidate(DeadLetters.class)
        StreamDeadLetters controlRoomStreamDeadLetters(DeadLetters deadLetters) {
            return new StreamDeadLetters(deadLetters);
        }
    }

    /** Replays of the events' dead letters, when the application consumes events. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.ficus.toolkit.messaging.EventDeadLetters")
    static class EventsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnSingleCandidate(EventDeadLetters.class)
        EventReplays controlRoomEventReplays(EventDeadLetters deadLetters) {
            return new EventReplays(deadLetters);
        }
    }

    /** The module graph and the calls between modules, from Spring Modulith. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ApplicationModulesRuntime.class)
    static class ModulithConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(ApplicationModulesRuntime.class)
        ModuleModel controlRoomModuleModel(ApplicationModulesRuntime runtime) {
            return new ModulithModel(runtime);
        }
    }

    /** Calls between modules, counted off Spring Modulith's observations of them. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.modulith.observability.support.ModulithContext")
    static class ModuleCallsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ModuleCalls controlRoomModuleCalls(MeterRegistry meters, ObjectProvider<ModuleModel> model) {
            return new ModuleCalls(meters, model.getIfAvailable(() -> ModuleModel.NONE));
        }
    }
}
