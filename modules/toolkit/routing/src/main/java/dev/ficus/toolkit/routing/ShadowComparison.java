package dev.ficus.toolkit.routing;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Compares the module's answer with the service's for one capability, field by field as JSON
 * (without the ignored fields, 24.9 equal to 24.90), counts matches and mismatches, and keeps the
 * latest mismatches for inspection. Shared by call routing and event routing.
 */
final class ShadowComparison {

    private final String capability;
    private final RoutingProperties.Capability settings;
    private final JsonMapper json;
    private final Deque<ShadowMismatch> mismatches = new ArrayDeque<>();
    private final Counter matches;
    private final Counter mismatched;
    private final Counter failures;

    ShadowComparison(String capability, RoutingProperties.Capability settings, JsonMapper json, MeterRegistry meters) {
        this.capability = capability;
        this.settings = settings;
        this.json = json;
        this.matches = comparisons("match", meters);
        this.mismatched = comparisons("mismatch", meters);
        this.failures = comparisons("failed", meters);
    }

    private Counter comparisons(String outcome, MeterRegistry meters) {
        return Counter.builder("ficus.routing.shadow.comparisons")
                .description("Shadow calls compared with the module's answer")
                .tag("capability", capability).tag("outcome", outcome).register(meters);
    }

    /** The service could not answer at all (unreachable, timed out): nothing to compare. */
    void failed() {
        failures.increment();
    }

    /** Compares two answers, each a value or an exception; says whether they matched. */
    boolean compare(String call, Object monolithAnswer, Throwable monolithError, Object serviceAnswer,
            Throwable serviceError) {
        JsonNode monolith = render(monolithAnswer, monolithError);
        JsonNode service = render(serviceAnswer, serviceError);
        List<String> differences = new ArrayList<>();
        differences(monolith, service, "", differences);
        if (differences.isEmpty()) {
            matches.increment();
            return true;
        }
        mismatched.increment();
        synchronized (mismatches) {
            mismatches.addFirst(new ShadowMismatch(capability, call, monolith, service, List.copyOf(differences),
                    Instant.now()));
            while (mismatches.size() > settings.mismatchSamples()) {
                mismatches.removeLast();
            }
        }
        return false;
    }

    long matches() {
        return (long) matches.count();
    }

    long mismatches() {
        return (long) mismatched.count();
    }

    List<ShadowMismatch> recent() {
        synchronized (mismatches) {
            return List.copyOf(mismatches);
        }
    }

    /** An answer as JSON without the ignored fields; an exception as its kind and message. */
    private JsonNode render(Object answer, Throwable error) {
        if (error != null) {
            ObjectNode thrown = json.createObjectNode();
            thrown.put("threw", error.getClass().getSimpleName());
            thrown.put("message", error.getMessage());
            return thrown;
        }
        JsonNode node = json.valueToTree(answer instanceof Optional<?> optional ? optional.orElse(null)
                : answer);
        return withoutIgnoredFields(node);
    }

    private JsonNode withoutIgnoredFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            settings.ignoredFields().forEach(object::remove);
            object.properties().forEach(field -> withoutIgnoredFields(field.getValue()));
        }
        else if (node != null && node.isArray()) {
            node.forEach(this::withoutIgnoredFields);
        }
        return node;
    }

    private static void differences(JsonNode left, JsonNode right, String path, List<String> found) {
        if (found.size() >= 10 || Objects.equals(left, right)) {
            return;
        }
        if (left != null && right != null && left.isObject() && right.isObject()) {
            Set<String> names = new TreeSet<>(left.propertyNames());
            names.addAll(right.propertyNames());
            for (String field : names) {
                differences(left.get(field), right.get(field), path + "/" + field, found);
            }
        }
        else if (left != null && right != null && left.isArray() && right.isArray() && left.size() == right.size()) {
            for (int i = 0; i < left.size(); i++) {
                differences(left.get(i), right.get(i), path + "/" + i, found);
            }
        }
        else if (left != null && right != null && left.isNumber() && right.isNumber()
                && left.decimalValue().compareTo(right.decimalValue()) == 0) {
            // 24.9 and 24.90 are the same amount
        }
        else {
            found.add(path.isEmpty() ? "/" : path);
        }
    }
}
