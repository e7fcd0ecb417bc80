/**
 * Identity: who may use the shop, and the signed tokens that say so on both sides of the strangler
 * boundary. Its API is {@link dev.ficus.shop.identity.Accounts} and the records beside it; its
 * tokens are checked by {@code ficus-toolkit-identity}, here and in every extracted service.
 */
@ApplicationModule(displayName = "Identity", allowedDependencies = {})
package dev.ficus.shop.identity;

import org.springframework.modulith.ApplicationModule;
