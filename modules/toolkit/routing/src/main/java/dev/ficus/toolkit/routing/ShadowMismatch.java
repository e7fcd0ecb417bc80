package dev.ficus.toolkit.routing;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * A call the module and the service answered differently, kept for inspection.
 *
 * @param capability  the capability routed
 * @param call        the method and its arguments
 * @param monolith    the module's answer (or the exception it threw)
 * @param service     the service's answer (or the exception it threw)
 * @param differences JSON pointers of the fields that differ (the first ten)
 * @param at          when the service answered
 */
public record ShadowMismatch(String capability, String call, JsonNode monolith, JsonNode service,
        List<String> differences, Instant at) {
}
