package dev.ficus.toolkit.cdc;

import java.util.List;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * Makes change streams besides the application's own ({@code ficus.cdc.*}): for instance one that
 * an extracted service runs against the monolith's database.
 */
public final class ChangeStreams {

    private ChangeStreams() {
    }

    /**
     * A stream of the changes in {@code captured} to the tables the subscriptions name.
     *
     * @param settings      name, slot, publication, snapshot mode, ...; its schema holds the stream's
     *                      position and dead letters in {@code home}, and its heartbeats in
     *                      {@code captured} (the tables are created when missing)
     * @param captured      the database whose changes are streamed; it needs {@code wal_level=logical}
     * @param home          where the stream keeps its position and dead letters
     * @param subscriptions who gets the changes, in this order
     * @param meters        where the stream's lag, counts and retries are recorded
     */
    public static ManagedChangeStream create(ChangeStreamProperties settings, PostgresDatabase captured,
            PostgresDatabase home, List<ChangeSubscription> subscriptions, MeterRegistry meters) {
        JdbcClient homeJdbc = JdbcClient.create(dataSource(home));
        StreamTables.ensure(homeJdbc, settings.schema());
        if (!captured.equals(home)) {
            StreamTables.ensureHeartbeat(JdbcClient.create(dataSource(captured)), settings.schema());
        }
        JdbcDeadLetters deadLetters = new JdbcDeadLetters(homeJdbc, settings, subscriptions);
        Gauge.builder("ficus.cdc.dead.letters", deadLetters, JdbcDeadLetters::pendingCount)
                .description("Changes a subscriber failed to handle, waiting for a replay")
                .tag("stream", settings.name())
                .register(meters);
        return new DebeziumChangeStream(settings, captured, home,
                new ChangeDispatcher(settings, subscriptions, deadLetters, meters), deadLetters);
    }

    private static SimpleDriverDataSource dataSource(PostgresDatabase database) {
        return new SimpleDriverDataSource(new org.postgresql.Driver(), database.jdbcUrl(), database.user(),
                database.password());
    }
}
