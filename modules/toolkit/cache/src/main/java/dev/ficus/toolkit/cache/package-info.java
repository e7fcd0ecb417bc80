/**
 * Cache-aside for a Spring Boot application: in-process caches (Caffeine) kept correct by change
 * data capture, within a staleness bound or bypassed, optionally over a second tier in Redis
 * shared by every instance. The API is {@link dev.ficus.toolkit.cache.Caches} and
 * {@link dev.ficus.toolkit.cache.CacheAside}; everything else is auto-configured.
 */
package dev.ficus.toolkit.cache;
