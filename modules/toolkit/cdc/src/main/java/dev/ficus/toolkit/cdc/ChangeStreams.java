package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

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
        return create(settings, captured, home, dataSource(home), subscriptions, meters);
    }

    /**
     * As {@link #create(ChangeStreamProperties, PostgresDatabase, PostgresDatabase, List, MeterRegistry)},
     * keeping dead letters through the application's own connection pool to {@code home}.
     *
     * @param homeConnections connections to {@code home}, for the stream's dead letters
     */
    public static ManagedChangeStream create(ChangeStreamProperties settings, PostgresDatabase captured,
            PostgresDatabase home, DataSource homeConnections, List<ChangeSubscription> subscriptions,
            MeterRegistry meters) {
        JdbcClient homeJdbc = JdbcClient.create(homeConnections);
        JdbcClient capturedJdbc = captured.equals(home) ? homeJdbc : JdbcClient.create(dataSource(captured));
        StreamTables.ensure(homeJdbc, settings.schema());
        if (!captured.equals(home)) {
            StreamTables.ensureHeartbeat(capturedJdbc, settings.schema());
        }
        JdbcDeadLetters deadLetters = new JdbcDeadLetters(homeJdbc, settings);
        SlotMonitor slot = new SlotMonitor(capturedJdbc, settings.slot());
        Gauge.builder("ficus.cdc.dead.letters", deadLetters, JdbcDeadLetters::pendingCount)
                .description("Changes a subscriber failed to handle, and later changes of their rows waiting behind them")
                .tag("stream", settings.name())
                .register(meters);
        Gauge.builder("ficus.cdc.dead.letters.oldest.age", deadLetters, letters -> letters.oldestPending()
                        .map(oldest -> Duration.between(oldest, Instant.now()).toMillis() / 1000.0).orElse(0.0))
                .description("How long the oldest pending dead letter has waited")
                .tag("stream", settings.name())
                .baseUnit("seconds")
                .register(meters);
        Gauge.builder("ficus.cdc.slot.retained.wal", slot, monitor -> monitor.current()
                        .map(ChangeStream.Slot::retainedWalBytes).orElse(0L))
                .description("Write-ahead log the stream's replication slot holds back")
                .tag("stream", settings.name())
                .tag("slot", settings.slot())
                .baseUnit("bytes")
                .register(meters);
        return new DebeziumChangeStream(settings, captured, home,
                new ChangeDispatcher(settings, subscriptions, deadLetters, meters), deadLetters, slot, homeJdbc);
    }

    /**
     * How current a stream's subscribers are, as the stream last saved it: for an application
     * that does not run the stream itself (a one-off command, an instance standing by). See
     * {@link ChangeStream#currentAsOf()}.
     *
     * @param home   where the stream keeps its position
     * @param schema the stream's schema there
     * @param stream the stream's name
     */
    public static Optional<Instant> savedCurrentAsOf(PostgresDatabase home, String schema, String stream) {
        return StoredPosition.committedAt(JdbcClient.create(dataSource(home)), schema, stream);
    }

    /**
     * The dead letters of a stream, for an application that does not run the stream itself (a
     * one-off command): replays it asks for are carried out by the instance that streams.
     *
     * @param home   connections to where the stream keeps its dead letters
     * @param schema the stream's schema there
     * @param stream the stream's name
     */
    public static DeadLetters deadLetters(DataSource home, String schema, String stream) {
        return new JdbcDeadLetters(JdbcClient.create(home), schema, stream);
    }

    private static SimpleDriverDataSource dataSource(PostgresDatabase database) {
        return new SimpleDriverDataSource(new org.postgresql.Driver(), database.jdbcUrl(), database.user(),
                database.password());
    }
}
