package dev.ficus.toolkit.cdc;

import java.time.Instant;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The position a stream last saved, read from its offsets table: whichever instance streams, the
 * saved position says up to which commit the stream's subscribers are done.
 */
final class StoredPosition {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StoredPosition() {
    }

    /** The commit time (PostgreSQL's) of the last change the stream confirmed, if it saved one. */
    static Optional<Instant> committedAt(JdbcClient home, String schema, String stream) {
        try {
            return home.sql("select value from " + schema + ".offsets where stream = ? and value is not null")
                    .param(stream)
                    .query(byte[].class)
                    .list().stream()
                    .map(JSON::readTree)
                    .map(offset -> offset.has("payload") ? offset.get("payload") : offset)
                    // While a snapshot is read, the position's time is when it was read, not a commit.
                    .filter(offset -> !offset.has("snapshot") && !offset.has("last_snapshot_record"))
                    .map(offset -> offset.path("ts_usec"))
                    .filter(JsonNode::isNumber)
                    .map(micros -> Instant.EPOCH.plusNanos(micros.asLong() * 1_000L))
                    .max(Instant::compareTo);
        }
        catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }
}
