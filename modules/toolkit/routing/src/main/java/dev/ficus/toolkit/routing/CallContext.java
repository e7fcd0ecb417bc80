package dev.ficus.toolkit.routing;

/**
 * Who the current call is made for. By default it is read from the HTTP request being served;
 * declare a bean of this type to read it from elsewhere.
 */
@FunctionalInterface
public interface CallContext {

    Caller current();
}
