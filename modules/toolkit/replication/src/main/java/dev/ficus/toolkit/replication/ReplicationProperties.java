package dev.ficus.toolkit.replication;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

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
     *                      undoing a change
     */
    public record Table(
            String source,
            @DefaultValue("") String target,
            @DefaultValue Map<String, String> columns,
            @DefaultValue("") String versionColumn) {

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
}
