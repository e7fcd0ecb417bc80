package dev.ficus.shop.identity.web;

/** A request to the token endpoint that lacks what its grant needs, or sends it where it must not. */
class InvalidTokenRequest extends RuntimeException {

    InvalidTokenRequest(String message) {
        super(message);
    }
}
