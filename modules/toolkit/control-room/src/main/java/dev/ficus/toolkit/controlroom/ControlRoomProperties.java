package dev.ficus.toolkit.controlroom;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The migration control room ({@code <management base path>/control-room}).
 *
 * @param enabled         whether the page and its readiness report are served
 * @param flagServer      the flag server's web interface; flag changes are made there, the page
 *                        links to each flag
 * @param refreshInterval how often each extracted service's replication status is fetched
 * @param serviceTimeout  how long a service may take to answer, for a status or an action
 * @param serviceUsername the operator the services are asked as (HTTP Basic)
 * @param servicePassword its password
 * @param readiness       the gates a module passes before it is ready to cut over
 * @param modules         per module (by its name), the capabilities routed for it and its service
 */
@ConfigurationProperties("ficus.control-room")
public record ControlRoomProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable URI flagServer,
        @DefaultValue("2s") Duration refreshInterval,
        @DefaultValue("1s") Duration serviceTimeout,
        @Nullable String serviceUsername,
        @Nullable String servicePassword,
        @DefaultValue Readiness readiness,
        @DefaultValue Map<String, Module> modules) {

    /**
     * @param minimumShadowCalls  shadow comparisons a read capability needs before its match rate counts
     * @param minimumMatchPercent the share of them that must have matched
     * @param maximumStaleness    how stale the service's copy may be
     */
    public record Readiness(
            @DefaultValue("1000") long minimumShadowCalls,
            @DefaultValue("99.9") double minimumMatchPercent,
            @DefaultValue("5s") Duration maximumStaleness) {
    }

    /**
     * @param capabilities the routed capabilities ({@code ficus.routing.capabilities}) of this module
     * @param schema       the schema its tables are in; the module's name if not set
     * @param service      the name of the service it is extracted into
     * @param serviceUrl   where that service answers (its actuator below {@code /actuator})
     * @param contract     the class of the contract suite both the module and the service pass
     */
    public record Module(
            @DefaultValue List<String> capabilities,
            @Nullable String schema,
            @Nullable String service,
            @Nullable URI serviceUrl,
            @Nullable String contract) {
    }
}
