package dev.ficus.toolkit.cdc;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.apache.kafka.connect.storage.OffsetUtils;

/**
 * Keeps the stream's position in PostgreSQL (table {@code <schema>.offsets}) instead of a file,
 * so it survives restarts and moves with the database to whichever instance streams next.
 *
 * <p>Public only because Debezium creates it by class name; not meant to be used directly.
 */
public class PostgresOffsetStore extends MemoryOffsetBackingStore {

    static final String JDBC_URL = "ficus.offsets.jdbc.url";
    static final String USER = "ficus.offsets.jdbc.user";
    static final String PASSWORD = "ficus.offsets.jdbc.password";
    static final String TABLE = "ficus.offsets.table";
    static final String STREAM = "ficus.offsets.stream";
    /** The {@link Lease} of the run: a leader whose lease ran out saves nothing. */
    static final String LEASE = "ficus.offsets.lease";

    private final Map<String, Set<Map<String, Object>>> partitions = new HashMap<>();
    private final JsonConverter keyConverter = new JsonConverter();
    private String jdbcUrl;
    private String user;
    private String password;
    private String table;
    private String stream;
    private String lease;

    public PostgresOffsetStore() {
        keyConverter.configure(Map.of("schemas.enable", "false"), true);
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, String> settings = config.originalsStrings();
        jdbcUrl = settings.get(JDBC_URL);
        user = settings.get(USER);
        password = settings.getOrDefault(PASSWORD, "");
        table = settings.get(TABLE);
        stream = settings.get(STREAM);
        lease = settings.get(LEASE);
    }

    @Override
    public synchronized void start() {
        super.start();
        data = new HashMap<>();
        try (Connection connection = connect();
             var select = connection.prepareStatement("select key, value from " + table + " where stream = ?")) {
            select.setString(1, stream);
            try (var rows = select.executeQuery()) {
                while (rows.next()) {
                    byte[] key = rows.getBytes(1);
                    byte[] value = rows.getBytes(2);
                    data.put(ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value));
                    OffsetUtils.processPartitionKey(key, value, keyConverter, partitions);
                }
            }
        }
        catch (SQLException e) {
            throw new ConnectException("Could not read the offsets of stream " + stream, e);
        }
    }

    @Override
    protected void save() {
        if (lease != null && !Lease.held(lease)) {
            throw new ConnectException("Not saving the position of stream " + stream + ": this instance's lease ran out");
        }
        try (Connection connection = connect();
             var upsert = connection.prepareStatement("insert into " + table + " (stream, key, value) values (?, ?, ?) "
                     + "on conflict (stream, key) do update set value = excluded.value")) {
            connection.setAutoCommit(false);
            for (Map.Entry<ByteBuffer, ByteBuffer> entry : data.entrySet()) {
                byte[] key = entry.getKey().array();
                byte[] value = entry.getValue() == null ? null : entry.getValue().array();
                upsert.setString(1, stream);
                upsert.setBytes(2, key);
                upsert.setBytes(3, value);
                upsert.addBatch();
                OffsetUtils.processPartitionKey(key, value, keyConverter, partitions);
            }
            upsert.executeBatch();
            connection.commit();
        }
        catch (SQLException e) {
            throw new ConnectException("Could not save the offsets of stream " + stream, e);
        }
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return partitions.getOrDefault(connectorName, Collections.emptySet());
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }
}
