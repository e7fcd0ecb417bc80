package dev.ficus.toolkit.replication;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.util.MimeType;

import dev.ficus.toolkit.cdc.DeadLetterWaitsBehind;
import dev.ficus.toolkit.cdc.DeadLetters;
import dev.ficus.toolkit.cdc.NoSuchDeadLetter;

/**
 * {@code /actuator/replication}: a replication's status, its phase and the switch, reconciliations
 * and repairs, dead letters and their replays, and conflicts, with refusals as problem details.
 */
@WebEndpoint(id = "replication")
class ReplicationEndpoint {

    static final int LISTED = 100;

    private static final MimeType PROBLEM = MimeType.valueOf("application/problem+json");

    private static final List<String> READABLE = List.of("phase", "dead-letters", "conflicts");

    private static final List<String> WRITABLE = List.of("phase", "reconciliations", "repairs", "dead-letters");

    /** A comma that starts the next {@code column=value} of a key. */
    private static final Pattern NEXT_KEY_COLUMN = Pattern.compile(",\\s*(?=[A-Za-z_][A-Za-z0-9_$]*\\s*=)");

    private final Replication replication;

    ReplicationEndpoint(Replication replication) {
        this.replication = replication;
    }

    record PhaseSwitch(ExtractionPhase phase) {
    }

    /** @param shown the oldest pending dead letters, at most {@value #LISTED} */
    record PendingDeadLetters(long pending, List<DeadLetters.DeadLetter> shown) {
    }

    record Repaired(String table, Map<String, String> key, RepairResult result) {
    }

    @ReadOperation
    ReplicationStatus status() {
        return replication.status();
    }

    @ReadOperation
    WebEndpointResponse<Object> read(@Selector String part) {
        return switch (part) {
            case "phase" -> answer(() -> new PhaseSwitch(replication.phase()));
            case "dead-letters" -> answer(() -> {
                DeadLetters letters = deadLettersHere();
                return new PendingDeadLetters(letters.pendingCount(), letters.pending(LISTED));
            });
            case "conflicts" -> answer(() -> replication.conflicts(LISTED));
            default -> problem(404, "no-such-resource", "Replication has no '" + part + "' to read; it has "
                    + READABLE + ".", null);
        };
    }

    @WriteOperation
    WebEndpointResponse<Object> write(@Selector String part, @Nullable String phase, @Nullable String repair,
            @Nullable String table, @Nullable String key) {
        return switch (part) {
            case "phase" -> switchPhase(phase);
            case "reconciliations" -> reconcile(repair);
            case "repairs" -> repair(table, key);
            case "dead-letters" -> answer(() -> deadLettersHere().replayAll());
            default -> problem(404, "no-such-resource", "Replication has no '" + part + "' to post to; it has "
                    + WRITABLE + ".", null);
        };
    }

    @WriteOperation
    WebEndpointResponse<Object> replay(@Selector String part, @Selector String id) {
        if (!part.equals("dead-letters")) {
            return problem(404, "no-such-resource", "Replication has no '" + part + "/" + id
                    + "' to post to; dead letters are replayed at dead-letters/{id}.", null);
        }
        long deadLetter;
        try {
            deadLetter = Long.parseLong(id);
        }
        catch (NumberFormatException e) {
            return problem(404, "no-such-dead-letter", "No pending dead letter " + id, null);
        }
        return answer(() -> deadLettersHere().replay(deadLetter));
    }

    private WebEndpointResponse<Object> switchPhase(@Nullable String phase) {
        ExtractionPhase target = Arrays.stream(ExtractionPhase.values())
                .filter(candidate -> candidate.name().equals(phase)).findFirst().orElse(null);
        if (target == null) {
            return invalidInput("phase", "must be one of " + Arrays.toString(ExtractionPhase.values()));
        }
        return answer(() -> {
            replication.switchPhase(target);
            return new PhaseSwitch(replication.phase());
        });
    }

    private WebEndpointResponse<Object> reconcile(@Nullable String repair) {
        if (repair != null && !repair.equalsIgnoreCase("true") && !repair.equalsIgnoreCase("false")) {
            return invalidInput("repair", "must be true or false");
        }
        return answer(() -> replication.reconcile(Boolean.parseBoolean(repair)));
    }

    private WebEndpointResponse<Object> repair(@Nullable String table, @Nullable String key) {
        if (table == null || table.isBlank()) {
            return invalidInput("table", "must not be blank");
        }
        if (key == null || key.isBlank()) {
            return invalidInput("key", "must not be blank");
        }
        return answer(() -> {
            Map<String, String> columns = keyColumns(key);
            return new Repaired(table, columns, replication.repair(table, columns));
        });
    }

    /**
     * {@code id=42}, or {@code order_id=7, line=2} for a key of several columns; braces around it,
     * as the reconcile command prints keys, are left out.
     */
    private static Map<String, String> keyColumns(String key) {
        String text = key.trim();
        if (text.startsWith("{") && text.endsWith("}")) {
            text = text.substring(1, text.length() - 1).trim();
        }
        Map<String, String> columns = new LinkedHashMap<>();
        for (String pair : NEXT_KEY_COLUMN.split(text)) {
            int equals = pair.indexOf('=');
            String column = equals < 0 ? "" : pair.substring(0, equals).trim();
            if (column.isEmpty() || columns.put(column, pair.substring(equals + 1).trim()) != null) {
                throw new InvalidRowKey("A key is column=value, several columns separated by commas (id=42 or "
                        + "order_id=7, line=2), not '" + key + "'");
            }
        }
        return columns;
    }

    private DeadLetters deadLettersHere() {
        return replication.deadLetters().orElseThrow(() -> new NotStreamingHere(replication.status().name()));
    }

    private static WebEndpointResponse<Object> answer(Supplier<?> operation) {
        try {
            return new WebEndpointResponse<>(operation.get());
        }
        catch (UnknownReplicatedTable e) {
            return problem(400, "unknown-replicated-table", e.getMessage(), null);
        }
        catch (InvalidRowKey e) {
            return problem(400, "invalid-key", e.getMessage(), null);
        }
        catch (RowNotFound e) {
            return problem(404, "row-not-found", e.getMessage(), null);
        }
        catch (NoSuchDeadLetter e) {
            return problem(404, "no-such-dead-letter", e.getMessage(), null);
        }
        catch (PhaseSwitchRefused e) {
            return problem(409, "phase-switch-refused", e.getMessage(), null);
        }
        catch (DeadLetterWaitsBehind e) {
            return problem(409, "dead-letter-waits-behind", e.getMessage(), null);
        }
        catch (NotStreamingHere e) {
            return problem(409, "not-streaming-here", e.getMessage(), null);
        }
    }

    private static WebEndpointResponse<Object> invalidInput(String field, String message) {
        return problem(400, "invalid-input", "The request is invalid.",
                List.of(Map.of("field", field, "message", message)));
    }

    /** RFC 9457 problem details, typed {@code urn:problem-type:<kind>} as the toolkit's other answers. */
    private static WebEndpointResponse<Object> problem(int status, String kind, String detail,
            @Nullable List<Map<String, String>> errors) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:problem-type:" + kind);
        problem.put("title", status == 400 ? "Bad Request" : status == 404 ? "Not Found" : "Conflict");
        problem.put("status", status);
        problem.put("detail", detail);
        if (errors != null) {
            problem.put("errors", errors);
        }
        return new WebEndpointResponse<>(problem, status, PROBLEM);
    }
}
