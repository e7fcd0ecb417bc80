package dev.ficus.toolkit.operations;

import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
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
 * A security filter chain for an application that has none of its own: operations need a user
 * with the role {@value #OPERATOR} ({@code spring.security.user.roles=OPERATOR} for Spring Boot's
 * own user). Without a configured password Spring Boot generates one and logs it at start-up.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration"})
@ConditionalOnClass(SecurityFilterChain.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class OperationsSecurityAutoConfiguration {

    /** The role of those who may read and act on the operations endpoints. */
    public static final String OPERATOR = "OPERATOR";

    /** The role of a metrics scraper: {@code /actuator/prometheus} and nothing else. */
    public static final String METRICS = "METRICS";

    private static final RequestMatcher OPERATIONS = new OrRequestMatcher(EndpointRequest.toAnyEndpoint(),
            PathPatternRequestMatcher.withDefaults().matcher("/admin/**"));

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @Bean
    @ConditionalOnMissingBean(SecurityFilterChain.class)
    SecurityFilterChain operationsSecurity(HttpSecurity http) {
        return http
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(EndpointRequest.to("health", "info")).permitAll()
                        .requestMatchers(EndpointRequest.to("prometheus")).hasAnyRole(OPERATOR, METRICS)
                        .requestMatchers(EndpointRequest.toAnyEndpoint()).hasRole(OPERATOR)
                        .requestMatchers("/admin/**").hasRole(OPERATOR)
                        .anyRequest().permitAll())
                .httpBasic(Customizer.withDefaults())
                // No session and no cookie, but a browser that once sent an operator's credentials
                // (to the control room, say) sends them again by itself, also when a page of another
                // site posts a form to an operations endpoint. A form cannot send JSON without the
                // browser asking first, which nothing here allows: an operations request that changes
                // state must be JSON, or carry a CSRF token (which only the control room's pages hold).
                .csrf(csrf -> csrf.requireCsrfProtectionMatcher(new AndRequestMatcher(
                        OperationsSecurityAutoConfiguration::changesState,
                        request -> !isJson(request.getContentType()), OPERATIONS)))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
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
