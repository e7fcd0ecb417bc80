/**
 * The caller's identity on both sides of the strangler boundary: bearer tokens checked against the
 * issuer's keys, roles as authorities, the application's {@link dev.ficus.toolkit.identity.AccessRules},
 * and the caller's token relayed on calls to extracted services ({@link dev.ficus.toolkit.identity.TokenRelay}).
 */
package dev.ficus.toolkit.identity;
