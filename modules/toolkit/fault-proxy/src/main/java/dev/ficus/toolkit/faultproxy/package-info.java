/** A TCP proxy that fails as networks do, for fault tests against real processes and sockets. */
package dev.ficus.toolkit.faultproxy;
