/**
 * Who may call what, as a contract: {@link dev.ficus.contracts.identity.TestIssuer} signs tokens as
 * the shop's issuer does (and the hostile kinds), {@link dev.ficus.contracts.identity.AccessMatrix}
 * sends each endpoint each caller and names every cell that answers otherwise than the rules say.
 */
package dev.ficus.contracts.identity;
