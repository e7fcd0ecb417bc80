package dev.ficus.shop.customers;

/** Another customer has registered this e-mail address. */
public class DuplicateEmail extends RuntimeException {

    public DuplicateEmail(String email) {
        super("A customer with e-mail " + email + " exists already");
    }
}
