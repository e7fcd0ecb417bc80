package dev.ficus.shop.identity.web;

/** The token endpoint was asked for a grant it does not offer. */
class UnsupportedGrant extends RuntimeException {

    UnsupportedGrant(String grantType) {
        super("This token endpoint offers the grant type \"password\" only, not \"" + grantType + "\"");
    }
}
