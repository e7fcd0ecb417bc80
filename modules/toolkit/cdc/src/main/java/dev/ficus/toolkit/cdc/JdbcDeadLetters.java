package dev.ficus.toolkit.cdc;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Dead letters in the table {@code <schema>.dead_letters}, shared by every instance of the
 * application. A replay is requested here (a timestamp on the row) and carried out by whichever
 * instance streams, which looks for requests between batches; the caller waits for the outcome.
 */
class JdbcDeadLetters implements DeadLetters {

    /** How often the streaming instance looks for replays that another instance requested. */
    private static final Duration REQUEST_POLL = Duration.ofSeconds(2);

    private final JdbcClient jdbc;
    private final String stream;
    private final String table;
    private final Duration replayTimeout;
    private volatile boolean requestedHere;
    private volatile Instant lastPolled = Instant.EPOCH;

    JdbcDeadLetters(JdbcClient jdbc, ChangeStreamProperties properties) {
        this(jdbc, properties.schema(), properties.name());
    }

    JdbcDeadLetters(JdbcClient jdbc, String schema, String stream) {
        this.jdbc = jdbc;
        this.stream = stream;
        this.table = schema + ".dead_letters";
        this.replayTimeout = REPLAY_TIMEOUT;
    }

    /** Which rows a dead letter holds back: its own row's later changes, or its whole table's. */
    record Hold(String subscription, String table, String rowKey, boolean wholeTable) {
    }

    /**
     * Stores a change as pending, once: the same change come again (after a restart, before the
     * stream saved its position) is the dead letter it already is.
     *
     * @param waitsBehind the dead letter this change was held behind, or null if it failed itself
     */
    long store(String subscription, ChangeEvent change, String error, int attempts, boolean holdsTable,
            Long waitsBehind) {
        String json = ChangeEventCodec.write(change);
        String fingerprint = fingerprint(json);
        return jdbc.sql("insert into " + table + " (stream, subscription, table_name, position, change, error, "
                        + "attempts, failed_at, row_key, holds_table, waits_behind, fingerprint) "
                        + "values (?, ?, ?, ?, cast(? as jsonb), ?, ?, ?, ?, ?, ?, ?) "
                        + "on conflict (stream, subscription, table_name, position, fingerprint) "
                        + "where replayed_at is null do nothing returning id")
                .params(stream, subscription, change.table(), change.position(), json, error, attempts,
                        Timestamp.from(Instant.now()), rowKey(change), holdsTable, waitsBehind, fingerprint)
                .query(Long.class).optional()
                .orElseGet(() -> jdbc.sql("select id from " + table + " where stream = ? and subscription = ? "
                                + "and table_name = ? and position = ? and fingerprint = ? and replayed_at is null")
                        .params(stream, subscription, change.table(), change.position(), fingerprint)
                        .query(Long.class).single());
    }

    /**
     * What tells one change from another at the same position (the rows of a snapshot share one):
     * a digest of the change as stored.
     */
    static String fingerprint(ChangeEvent change) {
        return fingerprint(ChangeEventCodec.write(change));
    }

    private static String fingerprint(String json) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(json.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Identifies a row among its table's: its key, as JSON with typed values. */
    static String rowKey(ChangeEvent change) {
        return ChangeEventCodec.writeRow(change.key());
    }

    /** The holds that pending dead letters put on later changes, as the stream starts. */
    List<Hold> holds() {
        return jdbc.sql("select subscription, table_name, row_key, bool_or(holds_table) as whole_table, min(id) "
                        + "from " + table + " where stream = ? and replayed_at is null "
                        + "group by subscription, table_name, row_key order by min(id)")
                .param(stream)
                .query((rows, number) -> new Hold(rows.getString(1), rows.getString(2), rows.getString(3),
                        rows.getBoolean(4)))
                .list();
    }

    /** The earliest pending dead letter of a hold (by position in the log), which later changes wait behind. */
    Optional<HeldRows.Head> head(Hold hold) {
        return jdbc.sql("select id, position, fingerprint from " + table + " where stream = ? and subscription = ? "
                        + "and table_name = ? and replayed_at is null" + (hold.wholeTable() ? "" : " and row_key = ?")
                        + " order by position, id limit 1")
                .params(hold.wholeTable() ? List.of(stream, hold.subscription(), hold.table())
                        : List.of(stream, hold.subscription(), hold.table(), hold.rowKey()))
                .query((rows, number) -> new HeldRows.Head(rows.getLong(1), rows.getLong(2), rows.getString(3)))
                .optional();
    }

    @Override
    public long pendingCount() {
        return jdbc.sql("select count(*) from " + table + " where stream = ? and replayed_at is null")
                .param(stream).query(Long.class).single();
    }

    @Override
    public Optional<Instant> oldestPending() {
        return jdbc.sql("select min(failed_at) from " + table + " where stream = ? and replayed_at is null")
                .param(stream).query(Timestamp.class).optional().map(Timestamp::toInstant);
    }

    @Override
    public List<DeadLetter> pending(int limit) {
        return jdbc.sql(select("stream = ? and replayed_at is null") + " order by id limit ?")
                .params(stream, limit)
                .query(this::deadLetter)
                .list();
    }

    @Override
    public List<DeadLetter> pending(String capturedTable, int limit) {
        return jdbc.sql(select("stream = ? and table_name = ? and replayed_at is null") + " order by id limit ?")
                .params(stream, capturedTable, limit)
                .query(this::deadLetter)
                .list();
    }

    @Override
    public Replay replay(long id) {
        if (jdbc.sql("select count(*) from " + table + " where stream = ? and id = ? and replayed_at is null")
                .params(stream, id).query(Long.class).single() == 0) {
            throw new NoSuchDeadLetter(id);
        }
        // The whole line from this letter on: the caller waits until those behind it went through too.
        List<DeadLetter> wholeLine = line(holdOf(id));
        if (!wholeLine.isEmpty() && wholeLine.get(0).id() != id) {
            throw new DeadLetterWaitsBehind(id, wholeLine.get(0).id());
        }
        Long[] line = wholeLine.isEmpty() ? new Long[] {id}
                : wholeLine.stream().map(DeadLetter::id).toArray(Long[]::new);
        Instant requested = request("id = any(?)", (Object) line);
        return outcome(requested, "id = any(?)", (Object) line);
    }

    @Override
    public Replay replayAll() {
        Instant requested = request("true");
        return outcome(requested, "true");
    }

    private Instant request(String which, Object... parameters) {
        Instant requested = jdbc.sql("select clock_timestamp()").query(Timestamp.class).single().toInstant();
        jdbc.sql("update " + table + " set replay_requested_at = ? where stream = ? and replayed_at is null and "
                        + which)
                .params(parameters(List.of(Timestamp.from(requested), stream), parameters))
                .update();
        requestedHere = true;
        return requested;
    }

    /** Waits until the streaming instance carried out the requests, then says what became of them. */
    private Replay outcome(Instant requested, String which, Object... parameters) {
        Instant deadline = Instant.now().plus(replayTimeout);
        boolean queued = true;
        while (Instant.now().isBefore(deadline)) {
            long open = jdbc.sql("select count(*) from " + table + " where stream = ? and replay_requested_at "
                            + "is not null and replayed_at is null and " + which)
                    .params(parameters(List.of(stream), parameters)).query(Long.class).single();
            if (open == 0) {
                queued = false;
                break;
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Timestamp since = Timestamp.from(requested);
        int replayed = jdbc.sql("select count(*) from " + table + " where stream = ? and replayed_at >= ? and "
                        + which)
                .params(parameters(List.of(stream, since), parameters)).query(Long.class).single().intValue();
        Map<Long, String> failed = new LinkedHashMap<>();
        jdbc.sql("select id, error from " + table + " where stream = ? and replayed_at is null "
                        + "and replay_failed_at >= ? and " + which + " order by id")
                .params(parameters(List.of(stream, since), parameters))
                .query(rows -> {
                    failed.put(rows.getLong(1), firstLine(rows.getString(2)));
                });
        return new Replay(replayed, failed, pendingCount(), queued);
    }

    /** Whether a replay may be waiting: asked here, or some time since another instance was asked. */
    boolean mayHaveRequests() {
        Instant now = Instant.now();
        if (requestedHere || now.isAfter(lastPolled.plus(REQUEST_POLL))) {
            requestedHere = false;
            lastPolled = now;
            return true;
        }
        return false;
    }

    /** Pending dead letters someone asked to replay, oldest first. */
    List<DeadLetter> requested() {
        return jdbc.sql(select("stream = ? and replayed_at is null and replay_requested_at is not null")
                        + " order by id")
                .param(stream)
                .query(this::deadLetter)
                .list();
    }

    /** The pending dead letters that a hold keeps in line, in the order their changes were made. */
    List<DeadLetter> line(Hold hold) {
        String condition = "stream = ? and subscription = ? and table_name = ? and replayed_at is null"
                + (hold.wholeTable() ? "" : " and row_key = ?");
        return jdbc.sql(select(condition) + " order by position, id")
                .params(hold.wholeTable() ? List.of(stream, hold.subscription(), hold.table())
                        : List.of(stream, hold.subscription(), hold.table(), hold.rowKey()))
                .query(this::deadLetter)
                .list();
    }

    /** The hold a pending dead letter belongs to. */
    Hold holdOf(long id) {
        return jdbc.sql("select subscription, table_name, row_key, holds_table from " + table + " where id = ?")
                .param(id)
                .query((rows, number) -> new Hold(rows.getString(1), rows.getString(2), rows.getString(3),
                        rows.getBoolean(4)))
                .single();
    }

    void markReplayed(long id) {
        jdbc.sql("update " + table + " set replayed_at = clock_timestamp(), replay_requested_at = null, "
                + "attempts = attempts + 1 where id = ?").param(id).update();
    }

    void markFailed(long id, String error) {
        jdbc.sql("update " + table + " set error = ?, attempts = attempts + 1, replay_requested_at = null, "
                + "replay_failed_at = clock_timestamp() where id = ?").params(error, id).update();
    }

    /** Leaves a requested dead letter pending and untried: it waits behind one that failed again. */
    void withdrawRequest(long id) {
        jdbc.sql("update " + table + " set replay_requested_at = null where id = ?").param(id).update();
    }

    /** Leaves a requested dead letter pending without trying it, saying why. */
    void markNotReplayed(long id, String reason) {
        jdbc.sql("update " + table + " set replay_requested_at = null, replay_failed_at = clock_timestamp(), "
                + "error = ? where id = ?").params(reason, id).update();
    }

    private String select(String condition) {
        return "select id, subscription, change, error, attempts, failed_at, waits_behind, holds_table from " + table
                + " where " + condition;
    }

    private DeadLetter deadLetter(ResultSet rows, int rowNumber) throws SQLException {
        long behind = rows.getLong("waits_behind");
        Long waitsBehind = rows.wasNull() ? null : behind;
        return new DeadLetter(rows.getLong("id"), rows.getString("subscription"),
                ChangeEventCodec.read(rows.getString("change")), rows.getString("error"), rows.getInt("attempts"),
                rows.getTimestamp("failed_at").toInstant(), waitsBehind, rows.getBoolean("holds_table"));
    }

    /**
     * An error as a dead letter keeps it: first what went wrong at its root (for a database, its
     * own message and detail: "duplicate key value violates unique constraint … Key (sku)=(X)
     * already exists"), then the start of the stack trace.
     */
    static String describe(Exception error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        String stack = trace.toString().lines().limit(20).collect(Collectors.joining("\n"));
        String root = rootMessage(error);
        return root == null ? stack : root + "\n" + stack;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            root = cause;
            if (cause instanceof SQLException sql && sql.getNextException() != null) {
                root = sql.getNextException();
                break;
            }
        }
        return root.getMessage() == null ? null : root.getMessage().strip();
    }

    private static String firstLine(String text) {
        return text == null ? null : text.lines().findFirst().orElse("");
    }

    private static List<Object> parameters(List<Object> leading, Object... rest) {
        List<Object> all = new ArrayList<>(leading);
        all.addAll(Arrays.asList(rest));
        return all;
    }
}
