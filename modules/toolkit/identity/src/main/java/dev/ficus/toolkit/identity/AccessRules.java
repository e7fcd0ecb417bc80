package dev.ficus.toolkit.identity;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;

/**
 * An application's rules for its API, applied in order before "everything else is open": declare
 * one bean. The monolith and each service extracted from it state theirs separately, and the
 * contract suite's authorization matrix proves they agree.
 */
@FunctionalInterface
public interface AccessRules {

    void apply(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry requests);
}
