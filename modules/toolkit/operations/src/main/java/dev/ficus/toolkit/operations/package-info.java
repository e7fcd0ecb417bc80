/**
 * Operations security for a monolith and the services extracted from it, the same everywhere:
 * health and info open to load balancers, every other actuator endpoint and {@code /admin/**}
 * behind the credentials of {@code spring.security.user.*} (HTTP Basic), the API left to the
 * application.
 */
package dev.ficus.toolkit.operations;
