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
}
