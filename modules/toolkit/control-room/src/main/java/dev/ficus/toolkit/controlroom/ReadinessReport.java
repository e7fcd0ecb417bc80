package dev.ficus.toolkit.controlroom;

import java.util.List;
import java.util.Map;

/**
 * Whether a module is ready to be cut over to its extracted service, with what it takes along.
 *
 * @param module         the module's name
 * @param ready          whether every gate passed
 * @param verdict        "ready to cut over", or the gates that did not pass
 * @param dependsOn      modules it depends on (Spring Modulith's model)
 * @param usedBy         modules that depend on it
 * @param publishes      event types it publishes
 * @param listensTo      event types it listens to
 * @param tables         tables in its schema
 * @param crossSchema    foreign keys and views that cross from its schema into another, or back
 * @param callsIn        calls into it since start, by calling module ({@code outside} for requests and jobs)
 * @param callsOut       calls from it into other modules since start, by module called
 * @param gates          the checks, in order
 */
public record ReadinessReport(String module, boolean ready, String verdict, List<String> dependsOn,
        List<String> usedBy, List<String> publishes, List<String> listensTo, List<String> tables,
        List<String> crossSchema, Map<String, Long> callsIn, Map<String, Long> callsOut, List<Gate> gates) {

    /** One check; {@code detail} says what was found. */
    public record Gate(String name, boolean passed, String detail) {
    }
}
