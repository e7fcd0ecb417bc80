package dev.ficus.shop.identity;

/** The username and password do not match an account; which of the two is wrong is not said. */
public class LoginRefused extends RuntimeException {

    public LoginRefused() {
        super("The username or the password is wrong");
    }
}
