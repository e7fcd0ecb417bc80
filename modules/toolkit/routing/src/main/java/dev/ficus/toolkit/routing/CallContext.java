package dev.ficus.toolkit.routing;

import io.getunleash.UnleashContext;

/**
 * Who a call is made for, as flags see it: user, session, remote address. By default it is read
 * from the HTTP request being served; declare a bean of this type to read it from elsewhere.
 */
@FunctionalInterface
public interface CallContext {

    UnleashContext current();
}
