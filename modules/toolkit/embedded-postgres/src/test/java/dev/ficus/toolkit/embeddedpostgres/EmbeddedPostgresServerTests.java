package dev.ficus.toolkit.embeddedpostgres;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedPostgresServerTests {

    @Test
    void theServerIsReadyForLogicalDecoding() throws SQLException {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.obtain(temporary("decoding"));
             Connection connection = connect(server)) {
            assertThat(query(connection, "show wal_level")).isEqualTo("logical");
            assertThat(query(connection, "show synchronous_commit")).as("commits survive a crash").isEqualTo("on");
            assertThat(Integer.parseInt(query(connection, "show max_replication_slots"))).isGreaterThanOrEqualTo(16);
            // What a change data capture connector does first: a slot decoding with pgoutput.
            assertThat(query(connection, "select slot_name from pg_create_logical_replication_slot('probe', 'pgoutput')"))
                    .isEqualTo("probe");
            query(connection, "select pg_drop_replication_slot('probe')::text");
        }
    }

    @Test
    void oneServerIsSharedPerSettingsAndStopsWithItsLastUser() throws SQLException {
        EmbeddedPostgresProperties settings = temporary("shared");
        EmbeddedPostgresServer first = EmbeddedPostgresServer.obtain(settings);
        EmbeddedPostgresServer second = EmbeddedPostgresServer.obtain(settings);

        assertThat(second).isSameAs(first);
        first.close();
        try (Connection stillServing = connect(second)) {
            assertThat(query(stillServing, "select 1")).isEqualTo("1");
        }
        second.close();
        assertThat(canConnect(second)).isFalse();
    }

    @Test
    void aPersistentServerKeepsItsDataAcrossRestarts(@TempDir Path directory) throws SQLException {
        EmbeddedPostgresProperties settings = persistent(directory);
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.obtain(settings);
             Connection connection = connect(server)) {
            connection.createStatement().execute("create table kept (word text); insert into kept values ('hello')");
        }

        try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.obtain(settings);
             Connection connection = connect(restarted)) {
            assertThat(query(connection, "select word from kept")).isEqualTo("hello");
        }
    }

    /**
     * An application killed with SIGKILL cannot stop its PostgreSQL server, which keeps running
     * and holding the data directory. The next start stops that orphan and carries on with its data.
     */
    @Test
    void aServerOrphanedByAKilledApplicationIsReplacedOnTheNextStart(@TempDir Path directory) throws Exception {
        Process application = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ApplicationToKill.class.getName(), directory.toString())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(application.getInputStream()))) {
            String line;
            while ((line = output.readLine()) != null && !line.equals(ApplicationToKill.READY)) {
                // PostgreSQL's start-up chatter
            }
            assertThat(line).as("the application started its server").isEqualTo(ApplicationToKill.READY);
        }
        long orphan = Long.parseLong(Files.readAllLines(directory.resolve("postmaster.pid")).getFirst().strip());

        application.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(ProcessHandle.of(orphan)).as("the server outlived its application").isPresent();

        try (EmbeddedPostgresServer next = EmbeddedPostgresServer.obtain(persistent(directory));
             Connection connection = connect(next)) {
            assertThat(query(connection, "select word from kept")).isEqualTo("written before the kill");
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        }
    }

    /** Started in its own JVM by the test above, and killed there. */
    static final class ApplicationToKill {

        static final String READY = "READY";

        public static void main(String[] args) throws Exception {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.obtain(persistent(Path.of(args[0])));
            try (Connection connection = connect(server)) {
                connection.createStatement().execute(
                        "create table kept (word text); insert into kept values ('written before the kill')");
            }
            System.out.println(READY);
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(5));
        }
    }

    static EmbeddedPostgresProperties temporary(String database) {
        return new EmbeddedPostgresProperties(true, "", 0, database, Duration.ofSeconds(60), Map.of());
    }

    static EmbeddedPostgresProperties persistent(Path directory) {
        return new EmbeddedPostgresProperties(true, directory.toString(), 0, "kept", Duration.ofSeconds(60), Map.of());
    }

    static Connection connect(EmbeddedPostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.username(), null);
    }

    private static boolean canConnect(EmbeddedPostgresServer server) {
        try (Connection ignored = connect(server)) {
            return true;
        }
        catch (SQLException e) {
            return false;
        }
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
