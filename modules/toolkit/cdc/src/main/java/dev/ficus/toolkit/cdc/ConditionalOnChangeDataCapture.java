package dev.ficus.toolkit.cdc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Conditional;

/**
 * Matches where the application streams its database's changes: {@code ficus.cdc.enabled} is not
 * false, and the database is PostgreSQL. For configuration that only makes sense with a change
 * stream (evictions driven by it, say).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ConditionalOnProperty(prefix = "ficus.cdc", name = "enabled", matchIfMissing = true)
@Conditional(OnPostgresDatabase.class)
public @interface ConditionalOnChangeDataCapture {
}
