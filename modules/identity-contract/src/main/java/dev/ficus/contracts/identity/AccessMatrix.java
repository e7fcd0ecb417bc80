package dev.ficus.contracts.identity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An authorization matrix: each endpoint, sent by each caller, must answer as the rules say. An
 * endpoint open to anyone answers every good caller alike; one that needs a role answers 401 to an
 * anonymous caller and 403 to a caller without the role; a token that is not good (expired, not
 * yet valid, forged, unsigned, for another audience or issuer, oversized, garbage) is 401 on every
 * endpoint. Each refusal must be a problem ({@code application/problem+json}) of its status, a 401
 * with a {@code WWW-Authenticate} challenge.
 */
public final class AccessMatrix {

    /**
     * A caller: its token (null: anonymous), its roles, and whether the token is one to refuse.
     */
    public record Caller(String name, String token, Set<String> roles, boolean hostile) {
    }

    /**
     * An endpoint: the role it needs (null: open to anyone) and what it answers a caller allowed to.
     */
    public record Endpoint(String name, String method, String path, String body, String role, int allowed) {
    }

    /** What an endpoint answered. */
    public record Answer(int status, String mediaType, String body, boolean challenged) {
    }

    /** Sends a request to the API under test: method, path, JSON body (or null), headers. */
    @FunctionalInterface
    public interface Exchange {

        Answer send(String method, String path, String body, Map<String, String> headers);
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AccessMatrix() {
    }

    /**
     * Every kind of caller: no token, each role, no role, and each hostile token (as a catalog-admin).
     * The unknown key comes last but one of the forgeries: a service that meets it may fetch the
     * issuer's keys again, at most every few seconds.
     */
    public static List<Caller> callers(TestIssuer issuer) {
        Set<String> admin = Set.of("catalog-admin");
        return List.of(
                new Caller("anonymous", null, Set.of(), false),
                new Caller("customer", issuer.customerToken("matrix-customer", UUID.randomUUID()), Set.of("customer"), false),
                new Caller("operator", issuer.token("matrix-operator", Set.of("operator")), Set.of("operator"), false),
                new Caller("user without roles", issuer.token("matrix-nobody", Set.of()), Set.of(), false),
                new Caller("catalog-admin", issuer.token("matrix-admin", admin), admin, false),
                new Caller("catalog-admin, expired", issuer.expired(admin), admin, true),
                new Caller("catalog-admin, without expiry", issuer.withoutExpiry(admin), admin, true),
                new Caller("catalog-admin, not yet valid", issuer.notYetValid(admin), admin, true),
                new Caller("catalog-admin, wrongly signed", issuer.wronglySigned(admin), admin, true),
                new Caller("catalog-admin, unknown key", issuer.unknownKey(admin), admin, true),
                new Caller("catalog-admin, HS256 with the public key", issuer.hmacWithThePublicKey(admin), admin, true),
                new Caller("catalog-admin, alg none", issuer.unsigned(admin), admin, true),
                new Caller("catalog-admin, other audience", issuer.forAudience("another-api", admin), admin, true),
                new Caller("catalog-admin, other issuer", issuer.fromIssuer("another-issuer", admin), admin, true),
                new Caller("catalog-admin, oversized", issuer.oversized(admin, 6_000), admin, true),
                new Caller("garbage", "not-a-token", Set.of(), true));
    }

    /** The status the rules give this caller on this endpoint. */
    public static int expected(Caller caller, Endpoint endpoint) {
        if (caller.hostile()) {
            return 401;
        }
        if (endpoint.role() == null || caller.roles().contains(endpoint.role())) {
            return endpoint.allowed();
        }
        return caller.token() == null ? 401 : 403;
    }

    /**
     * Sends every caller each of its endpoints (made per caller, so that each may create something
     * of its own) and returns every cell that answered otherwise than the rules, one line each.
     */
    public static List<String> differences(List<Caller> callers, Function<Caller, List<Endpoint>> endpoints,
            Exchange exchange) {
        List<String> differences = new ArrayList<>();
        for (Caller caller : callers) {
            for (Endpoint endpoint : endpoints.apply(caller)) {
                int expected = expected(caller, endpoint);
                Map<String, String> headers = new LinkedHashMap<>();
                if (endpoint.body() != null) {
                    headers.put("Content-Type", "application/json");
                }
                if (caller.token() != null) {
                    headers.put("Authorization", "Bearer " + caller.token());
                }
                Answer answer = exchange.send(endpoint.method(), endpoint.path(), endpoint.body(), headers);
                String cell = endpoint.name() + " as " + caller.name();
                if (answer.status() != expected) {
                    differences.add(cell + ": expected " + expected + ", got " + answer.status() + " " + answer.body());
                }
                else if (expected >= 400 && !isProblem(answer, expected)) {
                    differences.add(cell + ": the refusal is not a problem of status " + expected + ": " + answer.body());
                }
                else if (expected == 401 && !answer.challenged()) {
                    differences.add(cell + ": a 401 without WWW-Authenticate");
                }
            }
        }
        return differences;
    }

    private static boolean isProblem(Answer answer, int status) {
        if (!"application/problem+json".equals(answer.mediaType())) {
            return false;
        }
        try {
            JsonNode problem = JSON.readTree(answer.body());
            return problem.path("status").intValue() == status;
        }
        catch (JacksonException e) {
            return false;
        }
    }
}
