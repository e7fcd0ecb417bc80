package dev.ficus.toolkit.routing;

import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code /actuator/routing}: where each capability's calls go now, and the latest shadow mismatches. */
@Endpoint(id = "routing")
class RoutingEndpoint {

    private final Routers routers;

    RoutingEndpoint(Routers routers) {
        this.routers = routers;
    }

    @ReadOperation
    Map<String, CapabilityStatus> routes() {
        return routers.status();
    }
}
