/**
 * Request limits: how many requests a client may make per period, and how many of a kind may run
 * at once, refused with a problem detail and {@code Retry-After} before the application works.
 */
package dev.ficus.toolkit.limits;
