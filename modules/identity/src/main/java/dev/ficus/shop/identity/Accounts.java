package dev.ficus.shop.identity;

import java.util.Collection;

/** The shop's accounts, and the tokens it issues for them. */
public interface Accounts {

    /**
     * Opens these accounts, each unless one with its username exists; equal passwords are hashed
     * once (the demo data opens many accounts with one password).
     */
    void openAll(Collection<NewAccount> accounts);

    /** A token for the account with this username and password, else {@link LoginRefused}. */
    AccessToken login(String username, String password);
}
