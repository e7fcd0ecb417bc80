package dev.ficus.shop.identity;

import java.util.Set;

/** The shop's roles, as tokens name them. A caller without a token is anonymous and has none. */
public final class Roles {

    /** A customer: reads and changes their own profile and orders, and places orders for themselves. */
    public static final String CUSTOMER = "customer";

    /** Creates and changes products, their prices and their stock. */
    public static final String CATALOG_ADMIN = "catalog-admin";

    /** Reads and acts on the operations endpoints and the control room. */
    public static final String OPERATOR = "operator";

    public static final Set<String> ALL = Set.of(CUSTOMER, CATALOG_ADMIN, OPERATOR);

    private Roles() {
    }
}
