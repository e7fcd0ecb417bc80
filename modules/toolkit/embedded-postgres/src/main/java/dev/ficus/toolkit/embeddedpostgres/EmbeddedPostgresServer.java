package dev.ficus.toolkit.embeddedpostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server running beside the application, configured for logical decoding.
 *
 * <p>Servers are shared per JVM: every Spring context asking for the same settings gets the same
 * server, and the server stops when the last of them closes. Test suites with many cached
 * contexts therefore start PostgreSQL once.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /**
     * Settings every embedded server gets: logical decoding, room for replication slots, and
     * durable commits (the embedded server's library turns them off for speed; a commit must
     * survive a crash, and change data capture only sees what was flushed). A replication slot
     * whose consumer stalls may hold back at most 2 GB of write-ahead log: beyond that PostgreSQL
     * gives the slot up rather than fill the disk, and the stream reports it.
     */
    static final Map<String, String> DEFAULT_SETTINGS = Map.of(
            "synchronous_commit", "on",
            "wal_level", "logical",
            "max_replication_slots", "16",
            "max_wal_senders", "16",
            "max_slot_wal_keep_size", "2GB",
            "max_connections", "200",
            "listen_addresses", "127.0.0.1");

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Map<EmbeddedPostgresProperties, EmbeddedPostgresServer> RUNNING = new LinkedHashMap<>();

    private final EmbeddedPostgresProperties properties;
    private final EmbeddedPostgres postgres;
    private int users;

    private EmbeddedPostgresServer(EmbeddedPostgresProperties properties, EmbeddedPostgres postgres) {
        this.properties = properties;
        this.postgres = postgres;
    }

    /**
     * Runs a server on its own until the process is stopped, for several instances of an
     * application to share (a cluster behind a load balancer, where none of them may own it):
     * {@code --port=15433 --data-directory=.ficus/cluster --database=ficus}.
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> options = new HashMap<>(Map.of("port", "15433", "data-directory", "", "database", "ficus"));
        for (String arg : args) {
            String[] option = arg.replaceFirst("^--", "").split("=", 2);
            if (option.length != 2 || !options.containsKey(option[0])) {
                throw new IllegalArgumentException("Unknown option " + arg + "; known: --port, --data-directory, --database");
            }
            options.put(option[0], option[1]);
        }
        EmbeddedPostgresServer server = obtain(new EmbeddedPostgresProperties(true, options.get("data-directory"),
                Integer.parseInt(options.get("port")), options.get("database"), Duration.ofSeconds(60), Map.of()));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-postgres-stop"));
        log.info("PostgreSQL is ready at {} (user postgres); stop this process to stop it", server.jdbcUrl());
        Thread.currentThread().join();
    }

    /** Returns the running server for these settings, starting it first if needed. */
    public static EmbeddedPostgresServer obtain(EmbeddedPostgresProperties properties) {
        synchronized (RUNNING) {
            EmbeddedPostgresServer server = RUNNING.computeIfAbsent(properties, EmbeddedPostgresServer::start);
            server.users++;
            return server;
        }
    }

    public String jdbcUrl() {
        return jdbcUrl(properties.database());
    }

    /** JDBC URL of another database on the same server (for example an extracted service's). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public String username() {
        return "postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    public String database() {
        return properties.database();
    }

    /** Creates the database if it does not exist yet. */
    public void createDatabaseIfAbsent(String database) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, database);
            try (var rows = exists.executeQuery()) {
                if (!rows.next()) {
                    try (var create = connection.createStatement()) {
                        // The name is checked to be a plain identifier by EmbeddedPostgresProperties.
                        create.execute("create database \"" + database + "\"");
                    }
                    log.info("Created database {} on the embedded PostgreSQL server", database);
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + database, e);
        }
    }

    /** Releases this user's share of the server; the last one stops it. */
    @Override
    public void close() {
        synchronized (RUNNING) {
            if (--users > 0) {
                return;
            }
            RUNNING.remove(properties);
        }
        try {
            postgres.close();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static EmbeddedPostgresServer start(EmbeddedPostgresProperties properties) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPGStartupWait(properties.startupTimeout())
                    // The Spring contexts using the server stop it; a JVM hook of its own would race them.
                    .setRegisterShutdownHook(false);
            if (properties.port() != 0) {
                builder.setPort(properties.port());
            }
            if (properties.persistent()) {
                Path dataDirectory = Path.of(properties.dataDirectory()).toAbsolutePath();
                Files.createDirectories(dataDirectory);
                OrphanedServer.stopIfRunning(dataDirectory);
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            Map<String, String> settings = new LinkedHashMap<>(DEFAULT_SETTINGS);
            settings.putAll(properties.serverSettings());
            settings.forEach(builder::setServerConfig);

            Instant started = Instant.now();
            EmbeddedPostgres postgres = builder.start();
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(properties, postgres);
            server.createDatabaseIfAbsent(properties.database());
            log.info("Embedded PostgreSQL ready in {} ms at {} (data: {})",
                    Duration.between(started, Instant.now()).toMillis(), server.jdbcUrl(),
                    properties.persistent() ? properties.dataDirectory() : "temporary");
            return server;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not start embedded PostgreSQL", e);
        }
    }

    /**
     * A postmaster left running by an application that was killed without shutting down: it
     * still holds the data directory, so it is stopped before a new one starts.
     */
    static final class OrphanedServer {

        private OrphanedServer() {
        }

        static void stopIfRunning(Path dataDirectory) throws IOException {
            Path pidFile = dataDirectory.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return;
            }
            Optional<ProcessHandle> postmaster = Files.readAllLines(pidFile).stream().findFirst()
                    .map(String::strip)
                    .filter(line -> line.matches("\\d+"))
                    .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
                    .filter(process -> process.info().command().orElse("").endsWith("postgres"));
            if (postmaster.isEmpty()) {
                return;
            }
            log.warn("Stopping PostgreSQL server {} left running on {}", postmaster.get().pid(), dataDirectory);
            fastShutdown(postmaster.get());
            try {
                postmaster.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            catch (Exception e) {
                throw new IOException("Orphaned PostgreSQL server " + postmaster.get().pid() + " did not stop", e);
            }
        }

        /**
         * SIGINT, PostgreSQL's "fast" shutdown: it disconnects its clients and shuts down cleanly.
         * SIGTERM would wait for every client to leave, and other applications may still be
         * connected: another service streaming this database's changes, for one.
         */
        private static void fastShutdown(ProcessHandle postmaster) throws IOException {
            try {
                // Never the JVM's own streams: a test runner may own them.
                int exit = new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid()))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor();
                if (exit == 0) {
                    return;
                }
            }
            catch (IOException e) {
                log.debug("No kill command to send SIGINT with", e);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            postmaster.destroy();
        }
    }
}
