package dev.ficus.shop.identity;

import java.util.Map;

/** The keys the shop signs its tokens with. */
public interface TokenKeys {

    /** The public keys, as a JWK set (RFC 7517): every key whose tokens may still be valid. */
    Map<String, Object> published();

    /**
     * Makes a new key, published at once and signing once published for
     * {@code ficus.identity.issuing.publish-ahead}; tokens signed with older keys stay valid until they
     * expire. Returns the new key's id.
     */
    String rotate();

    /**
     * Withdraws a key at once (a leaked one, say): it is published no more, and tokens signed with it
     * are refused from the next read of the keys on (here at once; a service when its cache of the
     * keys ends). A new key signs if it was the signing one. False if there is no such key.
     */
    boolean withdraw(String kid);
}
