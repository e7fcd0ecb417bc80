package dev.ficus.shop.identity;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.test.ApplicationModuleTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The accounts and the signing keys, on the module's own schema. */
@ApplicationModuleTest
class IdentityModuleTests {

    private final Accounts accounts;
    private final TokenKeys keys;
    private final JdbcClient jdbc;

    IdentityModuleTests(Accounts accounts, TokenKeys keys, JdbcClient jdbc) {
        this.accounts = accounts;
        this.keys = keys;
        this.jdbc = jdbc;
    }

    @Test
    void anAccountLogsInWithItsPasswordOnlyAndOpeningItAgainChangesNothing() {
        String username = "user-" + UUID.randomUUID();
        accounts.openAll(List.of(new NewAccount(username, "first-password", Set.of(Roles.CATALOG_ADMIN), null)));
        accounts.openAll(List.of(new NewAccount(username, "second-password", Set.of(Roles.OPERATOR), null)));

        assertThat(accounts.login(username, "first-password").accessToken()).isNotBlank();
        assertThatThrownBy(() -> accounts.login(username, "second-password")).isInstanceOf(LoginRefused.class);
        assertThatThrownBy(() -> accounts.login("nobody-" + username, "first-password")).isInstanceOf(LoginRefused.class);
        assertThat(jdbc.sql("select roles from identity.accounts where username = ?").param(username)
                .query(String.class).single()).isEqualTo("catalog-admin");
    }

    @Test
    void anAccountIsBoundToACustomerIfAndOnlyIfItIsACustomers() {
        assertThatThrownBy(() -> new NewAccount("a", "secret", Set.of(Roles.CUSTOMER), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NewAccount("a", "secret", Set.of(Roles.OPERATOR), UUID.randomUUID()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NewAccount("a", "secret", Set.of("root"), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRotatedKeyIsPublishedAtOnceAndAWithdrawnOneIsNot() {
        String kid = keys.rotate();

        assertThat(kids()).contains(kid);
        assertThat(keys.withdraw(kid)).isTrue();
        assertThat(kids()).doesNotContain(kid).isNotEmpty();
        assertThat(keys.withdraw(kid)).isFalse();
    }

    @Test
    void aKeyIsDeletedOnceANewerOneHasSignedForLongerThanATokenLivesAndNotBefore() {
        keys.published();
        jdbc.sql("update identity.signing_keys set created_at = now() - interval '10 days'").update();
        String recent = keys.rotate();
        // The newer key signs for a minute only: the older ones may still have tokens out.
        assertThat(kids()).hasSizeGreaterThan(1).contains(recent);
        jdbc.sql("update identity.signing_keys set created_at = now() - interval '1 day' where kid = ?")
                .param(recent).update();

        String newest = keys.rotate();

        // The keys before the one that has signed for a day are gone; it and the newest remain.
        assertThat(kids()).containsExactlyInAnyOrder(recent, newest);
    }

    @SuppressWarnings("unchecked")
    private List<String> kids() {
        Map<String, Object> published = keys.published();
        return ((List<Map<String, Object>>) published.get("keys")).stream().map(key -> (String) key.get("kid")).toList();
    }
}
