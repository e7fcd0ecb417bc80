package dev.ficus.contracts.identity;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The matrix fails on a drifted rule, and on a refusal that is not a proper problem: checked against
 * stand-in APIs that keep the rules but for one difference each (the real APIs run it in their
 * contract suites).
 */
class AccessMatrixTests {

    private final TestIssuer issuer = TestIssuer.generated("ficus-shop", "ficus-api");
    private final List<AccessMatrix.Caller> callers = AccessMatrix.callers(issuer);
    private final List<AccessMatrix.Endpoint> endpoints = List.of(
            new AccessMatrix.Endpoint("read", "GET", "/things/1", null, null, 200),
            new AccessMatrix.Endpoint("change", "PUT", "/things/1", "{}", "catalog-admin", 200));

    /** Answers as the rules say, but with the given twist. */
    private AccessMatrix.Exchange api(Twist twist) {
        return (method, path, body, headers) -> {
            String authorization = headers.get("Authorization");
            AccessMatrix.Caller caller = callers.stream()
                    .filter(c -> authorization == null ? c.token() == null : authorization.equals("Bearer " + c.token()))
                    .findFirst().orElseThrow();
            AccessMatrix.Endpoint endpoint = endpoints.stream().filter(e -> e.method().equals(method)).findFirst()
                    .orElseThrow();
            int status = twist == Twist.CUSTOMERS_MAY_CHANGE && caller.roles().contains("customer")
                    ? 200 : AccessMatrix.expected(caller, endpoint);
            if (twist == Twist.EXPIRED_ACCEPTED && caller.name().endsWith("expired")) {
                status = endpoint.allowed();
            }
            if (status < 400) {
                return new AccessMatrix.Answer(status, "application/json", "{}", false);
            }
            String type = twist == Twist.PLAIN_403 && status == 403 ? "text/plain" : "application/problem+json";
            return new AccessMatrix.Answer(status, type, "{\"status\": " + status + "}",
                    status == 401 && twist != Twist.NO_CHALLENGE);
        };
    }

    private enum Twist { NONE, CUSTOMERS_MAY_CHANGE, EXPIRED_ACCEPTED, PLAIN_403, NO_CHALLENGE }

    @Test
    void anApiThatKeepsTheRulesHasNoDifferences() {
        assertThat(AccessMatrix.differences(callers, caller -> endpoints, api(Twist.NONE))).isEmpty();
    }

    @Test
    void aDriftedRuleIsNamedCellByCell() {
        assertThat(AccessMatrix.differences(callers, caller -> endpoints, api(Twist.CUSTOMERS_MAY_CHANGE)))
                .singleElement().asString().startsWith("change as customer: expected 403, got 200");
        assertThat(AccessMatrix.differences(callers, caller -> endpoints, api(Twist.EXPIRED_ACCEPTED)))
                .hasSize(2).allSatisfy(line -> assertThat(line).contains("as catalog-admin, expired: expected 401, got 200"));
    }

    @Test
    void aRefusalMustBeAProblemAndA401MustChallenge() {
        assertThat(AccessMatrix.differences(callers, caller -> endpoints, api(Twist.PLAIN_403)))
                .hasSize(3).allSatisfy(line -> assertThat(line).contains("is not a problem of status 403"));
        assertThat(AccessMatrix.differences(callers, caller -> endpoints, api(Twist.NO_CHALLENGE)))
                .isNotEmpty().allSatisfy(line -> assertThat(line).endsWith("a 401 without WWW-Authenticate"));
    }

    @Test
    void theHostileCallersAreEveryKindTheRulesName() {
        assertThat(callers).filteredOn(AccessMatrix.Caller::hostile).extracting(AccessMatrix.Caller::name)
                .containsExactly("catalog-admin, expired", "catalog-admin, without expiry", "catalog-admin, not yet valid",
                        "catalog-admin, wrongly signed", "catalog-admin, unknown key", "catalog-admin, HS256 with the public key",
                        "catalog-admin, alg none", "catalog-admin, other audience", "catalog-admin, other issuer",
                        "catalog-admin, oversized", "garbage");
        assertThat(Map.of("tokens", callers.stream().filter(c -> c.token() != null).map(AccessMatrix.Caller::token)
                .distinct().count())).containsEntry("tokens", (long) callers.size() - 1);
        assertThat(Set.copyOf(callers.stream().map(AccessMatrix.Caller::name).toList())).hasSize(callers.size());
    }
}
