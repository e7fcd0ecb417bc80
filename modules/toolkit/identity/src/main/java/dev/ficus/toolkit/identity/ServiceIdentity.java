package dev.ficus.toolkit.identity;

/**
 * The application's own identity, for calls to extracted services made outside any request (jobs,
 * event listeners, start-up): the issuer provides it.
 */
@FunctionalInterface
public interface ServiceIdentity {

    /** A bearer token naming the application itself, valid for a while yet. */
    String token();
}
