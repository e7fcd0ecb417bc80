package dev.ficus.toolkit.operations;

import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.SecurityProperties;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.InsufficientAuthenticationException;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * A security filter chain for the operations endpoints (actuator and {@code /admin/**}): they need
 * a user with the role {@value #OPERATOR} ({@code spring.security.user.roles=OPERATOR} for Spring
 * Boot's own user); without a configured password Spring Boot generates one and logs it at
 * start-up. Health and info stay open to load balancers. Every refusal is a problem.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration"})
@ConditionalOnClass(SecurityFilterChain.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(SecurityProperties.class)
public class OperationsSecurityAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(OperationsSecurityAutoConfiguration.class);

    /** The role of those who may read and act on the operations endpoints. */
    public static final String OPERATOR = "OPERATOR";

    /** The role of a metrics scraper: {@code /actuator/prometheus} and nothing else. */
    public static final String METRICS = "METRICS";

    private static final RequestMatcher OPERATIONS = new OrRequestMatcher(EndpointRequest.toAnyEndpoint(),
            PathPatternRequestMatcher.withDefaults().matcher("/admin/**"));

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    /** The order of the operations chain: after the control room's, before the API's. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

    /**
     * The operations endpoints: HTTP Basic, and whatever {@link OperationsAuthentication} beans add
     * (bearer tokens, say). Requests to anything else pass through this chain untouched: the
     * application's own chain (ficus-toolkit-identity's, say), if any, decides about them.
     */
    @Bean
    @Order(ORDER)
    @ConditionalOnMissingBean(name = "operationsSecurity")
    SecurityFilterChain operationsSecurity(HttpSecurity http, ObjectProvider<OperationsAuthentication> authentications,
            ObjectProvider<MeterRegistry> meters) {
        Refusals refusals = new Refusals(meters.getIfAvailable(), "Basic realm=\"ficus\"",
                refused -> refused instanceof InsufficientAuthenticationException ? "missing" : "bad-credentials");
        http.securityMatcher(OPERATIONS)
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(EndpointRequest.to("health", "info")).permitAll()
                        .requestMatchers(EndpointRequest.to("prometheus")).hasAnyRole(OPERATOR, METRICS)
                        .anyRequest().hasRole(OPERATOR))
                .httpBasic(basic -> basic.authenticationEntryPoint(refusals))
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(refusals)
                        .accessDeniedHandler(refusals))
                // No session and no cookie, but a browser that once sent an operator's credentials
                // (to the control room, say) sends them again by itself, also when a page of another
                // site posts a form to an operations endpoint. A form cannot send JSON without the
                // browser asking first, which nothing here allows: an operations request that changes
                // state must be JSON, or carry a CSRF token (which only the control room's pages hold).
                .csrf(csrf -> csrf.requireCsrfProtectionMatcher(new AndRequestMatcher(
                        OperationsSecurityAutoConfiguration::changesState,
                        request -> !isJson(request.getContentType()))))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        authentications.orderedStream().forEach(authentication -> authentication.configure(http));
        return http.build();
    }

    /**
     * The operations user of {@code spring.security.user.*}, as Spring Boot would make it; declared
     * here because Spring Boot makes none once the application checks bearer tokens (a JwtDecoder),
     * and operators and Prometheus keep their password.
     */
    @Bean
    @ConditionalOnMissingBean(UserDetailsService.class)
    InMemoryUserDetailsManager operationsUser(SecurityProperties security) {
        SecurityProperties.User user = security.getUser();
        if (user.isPasswordGenerated()) {
            log.warn("Using generated security password: {} (set spring.security.user.password)", user.getPassword());
        }
        return new InMemoryUserDetailsManager(User.withUsername(user.getName())
                // As Spring Boot: a password that names its encoding ({bcrypt}...) is a hash already.
                .password(user.getPassword().matches("^\\{.+}.*") ? user.getPassword() : "{noop}" + user.getPassword())
                .roles(user.getRoles().toArray(String[]::new))
                .build());
    }

    private static boolean changesState(HttpServletRequest request) {
        return !SAFE_METHODS.contains(request.getMethod());
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isCompatibleWith(MediaType.APPLICATION_JSON) || type.getSubtype().endsWith("+json");
        }
        catch (InvalidMediaTypeException e) {
            return false;
        }
    }
}
