package dev.ficus.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.awaitility.Awaitility.await;

/**
 * A real Unleash server (npm {@code unleash-server}) on the machine's PostgreSQL, in a database
 * of its own created afresh, with one admin and one client API token. It is installed once into
 * {@code $UNLEASH_SERVER_HOME} (default {@code ~/.cache/ficus/unleash-server-8.2.0}) with npm.
 */
final class UnleashServer {

    static final String VERSION = "8.2.0";
    static final String ADMIN_TOKEN = "*:*.ficus-admin-token";
    static final String CLIENT_TOKEN = "default:development.ficus-client-token";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path NPM_LOG = Path.of("target", "npm-install.log");

    private final int port = JavaProcess.freePort();
    private final String database;
    private Process process;

    UnleashServer(String database) {
        this.database = database;
    }

    /** Its web interface, where flags are changed. */
    String adminUrl() {
        return "http://127.0.0.1:" + port;
    }

    String clientApi() {
        return "http://127.0.0.1:" + port + "/api/";
    }

    UnleashServer start() throws IOException, InterruptedException {
        Path home = installed();
        recreateDatabase();
        ProcessBuilder node = new ProcessBuilder("node", "-e", "require('unleash-server').start()")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "unleash-server.log").toFile()));
        node.environment().put("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/" + database);
        node.environment().put("DATABASE_SSL", "false");
        node.environment().put("PORT", Integer.toString(port));
        node.environment().put("INIT_ADMIN_API_TOKENS", ADMIN_TOKEN);
        node.environment().put("INIT_CLIENT_API_TOKENS", CLIENT_TOKEN);
        node.environment().put("LOG_LEVEL", "warn");
        process = node.start();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("unleash-server exited; see system-tests/target/unleash-server.log");
            }
            return status("GET", "/health", null) == 200;
        });
        return this;
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** A flag in project "default", on in environment "development", rolled out to {@code rollout}%. */
    String createFlag(String name, int rollout) {
        admin("POST", "/api/admin/projects/default/features", "{\"name\": \"" + name + "\", \"type\": \"release\"}");
        JsonNode strategy = admin("POST", "/api/admin/projects/default/features/" + name
                + "/environments/development/strategies", strategy(name, rollout));
        admin("POST", "/api/admin/projects/default/features/" + name + "/environments/development/on", null);
        return strategy.path("id").asString();
    }

    void rollOut(String name, String strategyId, int rollout) {
        admin("PUT", "/api/admin/projects/default/features/" + name + "/environments/development/strategies/"
                + strategyId, strategy(name, rollout));
    }

    void switchFlag(String name, boolean on) {
        admin("POST", "/api/admin/projects/default/features/" + name + "/environments/development/"
                + (on ? "on" : "off"), null);
    }

    private static String strategy(String name, int rollout) {
        return """
                {"name": "flexibleRollout", "constraints": [],
                 "parameters": {"rollout": "%d", "stickiness": "userId", "groupId": "%s"}}"""
                .formatted(rollout, name);
    }

    private JsonNode admin(String method, String path, String body) {
        HttpResponse<String> response = send(method, path, body);
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " → " + response.statusCode() + " " + response.body());
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private int status(String method, String path, String body) {
        try {
            return send(method, path, body).statusCode();
        }
        catch (UncheckedIOException e) {
            return 0;
        }
    }

    private HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void recreateDatabase() {
        try (var connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             var statement = connection.createStatement()) {
            statement.execute("drop database if exists " + database + " with (force)");
            statement.execute("create database " + database);
        }
        catch (SQLException e) {
            throw new IllegalStateException("The machine's PostgreSQL (127.0.0.1:5432) is needed for unleash-server", e);
        }
    }

    /**
     * The installed package, installing it with npm the first time. npm's output goes to
     * {@code target/npm-install.log}: a test JVM's own standard streams belong to the test runner.
     */
    private static Path installed() throws IOException, InterruptedException {
        String configured = System.getenv("UNLEASH_SERVER_HOME");
        // The home npm itself uses: $HOME (Java's user.home comes from the password file instead).
        String userHome = System.getenv().getOrDefault("HOME", System.getProperty("user.home"));
        Path home = configured != null ? Path.of(configured)
                : Path.of(userHome, ".cache", "ficus", "unleash-server-" + VERSION);
        if (!Files.isDirectory(home.resolve("node_modules").resolve("unleash-server"))) {
            // Installed beside it and moved in place when complete: an interrupted install is not taken for one.
            Path partial = home.resolveSibling(home.getFileName() + ".partial");
            deleteRecursively(partial);
            Files.createDirectories(partial);
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                    "unleash-server@" + VERSION)
                    .directory(partial.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(NPM_LOG.toFile()))
                    .start();
            if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new IllegalStateException("npm could not install unleash-server@" + VERSION + " into " + partial
                        + "; see system-tests/" + NPM_LOG);
            }
            deleteRecursively(home);
            Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
        }
        return home;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
