package dev.ficus.toolkit.operations;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;

/**
 * A way to authenticate on the operations endpoints beside HTTP Basic, applied to their filter
 * chain: bearer tokens of the shop's issuer, say ({@code ficus-toolkit-identity} declares one).
 */
@FunctionalInterface
public interface OperationsAuthentication {

    void configure(HttpSecurity operations);
}
