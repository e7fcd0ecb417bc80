package dev.ficus.toolkit.routing;

/** Where the calls of one capability go. */
public enum Route {

    /** Only the module in the monolith. */
    MONOLITH,

    /** The module answers; the extracted service is called off the request path and compared. */
    SHADOW,

    /** A sticky share of users (by user, else session) goes to the service; the rest to the module. */
    CANARY,

    /** Every call goes to the service; on failure the module answers. */
    EXTRACTED
}
