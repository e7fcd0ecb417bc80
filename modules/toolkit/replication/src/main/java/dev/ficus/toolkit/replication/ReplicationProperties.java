package dev.ficus.toolkit.replication;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import dev.ficus.toolkit.cdc.ChangeStreamProperties;

/**
 * Settings of replication into this application's database ({@code ficus.replication.*}).
 *
 * @param enabled       replicate at all; without tables nothing is replicated either
 * @param name          names the replication, its replication slot and publication in the source
 *                      database (slot names are unique per PostgreSQL server), its position and
 *                      its marks; keep it stable
 * @param source        the database replicated from; it needs {@code wal_level=logical}
 * @param schema        schema of the replication's own tables, in this database (position, dead
 *                      letters, marks, phase) and in the source (heartbeats); the other direction
 *                      of a two-way sync must use the same schema name
 * @param streaming     stream changes; off for one-off commands such as a reconciliation
 * @param snapshotMode  Debezium snapshot mode: {@code initial} copies every row first, then streams
 * @param pollInterval  how long the stream waits for more changes before applying a batch
 * @param initialPhase  the phase a new replication starts in
 * @param chunkSize     rows compared per query when reconciling
 * @param maxStaleness  while this side is a read copy, how far behind the source it may fall
 *                      before readiness says it is out of service (a stalled or failed stream), so
 *                      that a load balancer stops sending it reads
 * @param retry         how a change the target rejects is retried before it is dead-lettered
 * @param isolationLimit changes of one batch kept in memory to find a rejected one at once; a
 *                      larger source transaction is read again from the log for that
 * @param retainedWalThreshold write-ahead log the replication's slot in the source may hold back
 *                      before health reports it; keep it below the source's
 *                      {@code max_slot_wal_keep_size}
 * @param tables        what is replicated where
 * @param debezium      further Debezium properties for the stream
 */
@ConfigurationProperties("ficus.replication")
public record ReplicationProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("replication") String name,
        @DefaultValue Source source,
        @DefaultValue("replication") String schema,
        @DefaultValue("true") boolean streaming,
        @DefaultValue("initial") String snapshotMode,
        @DefaultValue("10ms") Duration pollInterval,
        @DefaultValue("READ_COPY") ExtractionPhase initialPhase,
        @DefaultValue("1000") int chunkSize,
        @DefaultValue("10s") Duration maxStaleness,
        @DefaultValue ChangeStreamProperties.Retry retry,
        @DefaultValue("10000") int isolationLimit,
        @DefaultValue("1GB") DataSize retainedWalThreshold,
        @DefaultValue List<Table> tables,
        @DefaultValue Map<String, String> debezium) {

    public ReplicationProperties {
        for (String identifier : new String[] {name, schema}) {
            if (!identifier.matches("[a-z_][a-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("'" + identifier + "' is not a plain lower-case identifier");
            }
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("ficus.replication.chunk-size must be at least 1");
        }
    }

    boolean active() {
        return enabled && !tables.isEmpty();
    }

    /**
     * @param url      JDBC URL, {@code jdbc:postgresql://host:port/database}
     * @param username login
     * @param password password
     */
    public record Source(String url, @DefaultValue("postgres") String username, @DefaultValue("") String password) {
    }

    /**
     * One replicated table.
     *
     * @param source        {@code schema.table} in the source database
     * @param target        {@code schema.table} in this database; empty means the same name
     * @param columns       source column to target column, for columns whose names differ; other
     *                      source columns go to the target column of the same name, and source
     *                      columns the target lacks are left out
     * @param versionColumn a target column that grows with every change of a row (a version or an
     *                      update time); with it, an incoming row never replaces a newer one, which
     *                      keeps a late redelivery or the other direction of a two-way sync from
     *                      undoing a change, and a row both sides changed to the same version is
     *                      recorded as a conflict
     * @param onError       what a change this table's target rejects (a constraint, a value that
     *                      does not fit) does: {@code dead-letter} it and go on (later changes of
     *                      the same row wait behind it), or {@code halt} the stream until it can
     *                      be applied
     */
    public record Table(
            String source,
            @DefaultValue("") String target,
            @DefaultValue Map<String, String> columns,
            @DefaultValue("") String versionColumn,
            @DefaultValue("dead-letter") OnError onError) {

        public Table {
            if (source == null || !source.matches("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("Replicated tables are named schema.table in lower case, not '"
                        + source + "'");
            }
            if (!target.isEmpty() && !target.matches("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("Replicated tables are named schema.table in lower case, not '"
                        + target + "'");
            }
        }

        String targetTable() {
            return target.isEmpty() ? source : target;
        }
    }

    /** What a change the target rejects does to the stream. */
    public enum OnError {
        /** Dead-letter the change with the target's error and go on; the row's later changes wait behind it. */
        DEAD_LETTER,
        /** Stop the stream at the change until it can be applied: for tables whose changes must never be applied out of order. */
        HALT
    }
}
