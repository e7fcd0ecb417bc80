package dev.ficus.toolkit.cdc;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Dead letters in the table {@code <schema>.dead_letters}. */
class JdbcDeadLetters implements DeadLetters {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final JdbcClient jdbc;
    private final String stream;
    private final String table;
    private final Map<String, ChangeSubscription> subscriptions;

    JdbcDeadLetters(JdbcClient jdbc, ChangeStreamProperties properties, List<ChangeSubscription> subscriptions) {
        this.jdbc = jdbc;
        this.stream = properties.name();
        this.table = properties.schema() + ".dead_letters";
        this.subscriptions = subscriptions.stream()
                .collect(Collectors.toMap(ChangeSubscription::name, Function.identity()));
    }

    void store(String subscription, ChangeEvent change, Exception error, int attempts) {
        jdbc.sql("insert into " + table + " (stream, subscription, table_name, position, change, error, attempts, failed_at) "
                        + "values (?, ?, ?, ?, cast(? as jsonb), ?, ?, ?)")
                .params(stream, subscription, change.table(), change.position(), JSON.writeValueAsString(change),
                        describe(error), attempts, Timestamp.from(Instant.now()))
                .update();
    }

    @Override
    public long pendingCount() {
        return jdbc.sql("select count(*) from " + table + " where stream = ? and replayed_at is null")
                .param(stream).query(Long.class).single();
    }

    @Override
    public List<DeadLetter> pending() {
        return jdbc.sql("select id, subscription, change, error, failed_at from " + table
                        + " where stream = ? and replayed_at is null order by id")
                .param(stream)
                .query(this::deadLetter)
                .list();
    }

    @Override
    public boolean replay(long id) {
        DeadLetter letter = jdbc.sql("select id, subscription, change, error, failed_at from " + table
                        + " where stream = ? and id = ? and replayed_at is null")
                .params(stream, id)
                .query(this::deadLetter)
                .optional()
                .orElseThrow(() -> new IllegalArgumentException("No pending dead letter " + id));
        return replay(letter);
    }

    @Override
    public int replayAll() {
        int replayed = 0;
        for (DeadLetter letter : pending()) {
            if (replay(letter)) {
                replayed++;
            }
        }
        return replayed;
    }

    private boolean replay(DeadLetter letter) {
        long id = letter.id();
        ChangeSubscription subscription = subscriptions.get(letter.subscription());
        if (subscription == null) {
            throw new IllegalStateException("No subscription " + letter.subscription() + " to replay dead letter " + id);
        }
        try {
            subscription.handler().handle(letter.change());
        }
        catch (Exception e) {
            jdbc.sql("update " + table + " set error = ?, attempts = attempts + 1 where id = ?")
                    .params(describe(e), id).update();
            return false;
        }
        jdbc.sql("update " + table + " set replayed_at = now() where id = ?").param(id).update();
        return true;
    }

    private DeadLetter deadLetter(ResultSet rows, int rowNumber) throws SQLException {
        return new DeadLetter(rows.getLong("id"), rows.getString("subscription"),
                JSON.readValue(rows.getString("change"), ChangeEvent.class), rows.getString("error"),
                rows.getTimestamp("failed_at").toInstant());
    }

    private static String describe(Exception error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        return trace.toString().lines().limit(20).collect(Collectors.joining("\n"));
    }
}
