package dev.ficus.shop.identity;

import java.util.Set;
import java.util.UUID;

/**
 * An account to open.
 *
 * @param username   what the user logs in with (an email address for a customer, say)
 * @param password   in clear; only its hash is kept
 * @param roles      some of {@link Roles#ALL}
 * @param customerId the customer a {@link Roles#CUSTOMER} acts as; null for any other account
 */
public record NewAccount(String username, String password, Set<String> roles, UUID customerId) {

    public NewAccount {
        if (username == null || username.isBlank() || username.length() > 254) {
            throw new IllegalArgumentException("A username has 1 to 254 characters");
        }
        if (password == null || password.length() < 4 || password.length() > 72) {
            throw new IllegalArgumentException("A password has 4 to 72 characters");
        }
        if (roles == null || roles.isEmpty() || !Roles.ALL.containsAll(roles)) {
            throw new IllegalArgumentException("An account has some of the roles " + Roles.ALL + ", not " + roles);
        }
        if (roles.contains(Roles.CUSTOMER) != (customerId != null)) {
            throw new IllegalArgumentException("A customer account, and only one, is bound to a customer id");
        }
        roles = Set.copyOf(roles);
    }
}
