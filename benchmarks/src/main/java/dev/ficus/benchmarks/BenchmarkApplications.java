package dev.ficus.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.shop.FicusApplication;

/**
 * The applications the benchmarks measure, started as they run in production. Callers that write
 * log in at the shop's token endpoint as one of its demo accounts (loaded with the demo data).
 */
final class BenchmarkApplications {

    /** The password of every demo account: {@code catalog-admin}, {@code operator}, each demo customer's email. */
    static final String DEMO_PASSWORD = "demo";

    private BenchmarkApplications() {
    }

    /**
     * The shop in this JVM, on an embedded PostgreSQL (database {@code benchmark}, shared by every
     * shop the benchmark starts) with the demo data, plus the benchmark probes; ready when it returns.
     */
    static ConfigurableApplicationContext startShop(String... settings) throws InterruptedException {
        List<String> arguments = new ArrayList<>(List.of("--server.port=0",
                "--ficus.embedded-postgres.data-directory=",
                "--ficus.embedded-postgres.port=0",
                "--ficus.embedded-postgres.database=benchmark",
                "--ficus.demo-data.enabled=true",
                // wrk's requests all come from one client: its limit of reads a second would be measured.
                "--ficus.limits.classes.reads.requests-per-period=100000000",
                "--spring.security.user.password=" + UUID.randomUUID(),
                "--logging.level.root=warn"));
        arguments.addAll(List.of(settings));
        ConfigurableApplicationContext shop = new SpringApplicationBuilder(FicusApplication.class, BenchmarkProbes.class)
                .run(arguments.toArray(String[]::new));
        awaitReady(base(shop), null);
        return shop;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String base(ConfigurableApplicationContext shop) {
        return "http://127.0.0.1:" + shop.getEnvironment().getProperty("local.server.port");
    }

    static String jdbcUrl(ConfigurableApplicationContext shop) {
        return shop.getBean(JdbcConnectionDetails.class).getJdbcUrl();
    }

    static List<URI> productUrls(ConfigurableApplicationContext shop) {
        return shop.getBean(JdbcClient.class).sql("select id from catalog.products order by sku").query(UUID.class)
                .list().stream()
                .map(id -> URI.create(base(shop) + "/api/catalog/products/" + id))
                .toList();
    }

    /**
     * The setting that makes an extracted service check tokens against the keys the shop at
     * {@code shopBase} publishes (it runs on a port of its own, not the default 8080).
     */
    static String tokensIssuedBy(String shopBase) {
        return "--ficus.identity.jwk-set-uri=" + shopBase + "/oauth2/jwks";
    }

    /**
     * Logs a demo account in at the shop's token endpoint ({@code POST /oauth2/token}, the password
     * grant); its access token, good for 15 minutes at the shop and its services.
     */
    static String login(String base, String username) throws IOException, InterruptedException {
        HttpRequest login = HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username="
                        + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password=" + DEMO_PASSWORD))
                .build();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(login, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("Could not log in as " + username + " (does the shop have the demo data?): "
                    + answer.statusCode() + " " + answer.body());
        }
        return JsonMapper.builder().build().readTree(answer.body()).get("access_token").asString();
    }

    /**
     * catalog-service as its own process, from its executable jar, on its own embedded PostgreSQL,
     * replicating the catalog from {@code shopJdbcUrl}; its output goes to benchmarks/target. Where
     * the shop runs, pass {@link #tokensIssuedBy} among the settings.
     */
    static Process startCatalogService(String shopJdbcUrl, int port, String... settings) throws IOException {
        return startCatalogService(false, shopJdbcUrl, port, settings);
    }

    /**
     * As above; {@code yielding} runs it (and the database it starts) at the lowest CPU priority
     * ({@code nice -n 19}), so that on a small machine it only uses what the shop leaves: as if it
     * ran on a machine of its own.
     */
    static Process startCatalogService(boolean yielding, String shopJdbcUrl, int port, String... settings)
            throws IOException {
        Path jar = Path.of("extracted-services/catalog-service/target/ficus-catalog-service-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn -q -DskipTests package` in the project root");
        }
        Path log = Path.of("benchmarks", "target", "catalog-service.log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        if (yielding) {
            command.addAll(List.of("nice", "-n", "19"));
        }
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", jar.toString()));
        command.addAll(overridden(List.of(
                "--server.port=" + port,
                "--ficus.embedded-postgres.data-directory=",
                "--ficus.embedded-postgres.port=0",
                "--ficus.replication.source.url=" + shopJdbcUrl,
                "--spring.security.user.name=bench", "--spring.security.user.password=bench"), settings));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * The defaults but those the settings name again, then the settings: Spring Boot would join two
     * values of one property with a comma rather than take the later.
     */
    private static List<String> overridden(List<String> defaults, String... settings) {
        List<String> named = Arrays.stream(settings).map(setting -> setting.split("=", 2)[0]).toList();
        List<String> arguments = new ArrayList<>(defaults.stream()
                .filter(argument -> !named.contains(argument.split("=", 2)[0])).toList());
        arguments.addAll(List.of(settings));
        return arguments;
    }

    /**
     * The shop as its own process, from its executable jar, on the database at {@code jdbcUrl}
     * (user postgres), with operator {@code bench}/{@code bench}; its output goes to
     * benchmarks/target/{@code name}.log.
     */
    static Process startShopProcess(String name, int port, String jdbcUrl, String... settings) throws IOException {
        Path jar = Path.of("app/target/ficus-app-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn -q -DskipTests package` in the project root");
        }
        Path log = Path.of("benchmarks", "target", name + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", jar.toString(),
                "--server.port=" + port,
                "--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.username=postgres",
                "--spring.security.user.name=bench", "--spring.security.user.password=bench",
                "--logging.level.root=warn"));
        command.addAll(List.of(settings));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Creates products {@code BENCH-0001} … through the shop's API as its demo {@code catalog-admin}
     * (the shop needs the demo data), waiting as long as it says when it answers 429 (it limits each
     * client's writes); their ids, in order.
     */
    static List<UUID> createProducts(String base, int count) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String token = login(base, "catalog-admin");
        List<UUID> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            HttpRequest create = HttpRequest.newBuilder(URI.create(base + "/api/catalog/products"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"sku": "BENCH-%04d", "name": "Bench %d", "price": {"amount": 10.00, "currency": "EUR"},
                             "category": "bench"}""".formatted(i, i)))
                    .build();
            HttpResponse<String> created = http.send(create, HttpResponse.BodyHandlers.ofString());
            while (created.statusCode() == 429) {
                Thread.sleep(1000 * Long.parseLong(created.headers().firstValue("Retry-After").orElse("1")));
                created = http.send(create, HttpResponse.BodyHandlers.ofString());
            }
            if (created.statusCode() != 201) {
                throw new IllegalStateException("Could not create a product: " + created.body());
            }
            ids.add(UUID.fromString(JsonMapper.builder().build().readTree(created.body()).get("id").asString()));
        }
        return ids;
    }

    /** Waits until the application at {@code base} is ready (and, if given, its process alive). */
    static void awaitReady(String base, Process process) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest readiness = HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build();
        for (int attempt = 0; attempt < 1800; attempt++) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("The application at " + base + " exited; see benchmarks/target");
            }
            try {
                if (http.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            }
            catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("The application at " + base + " did not become ready");
    }
}
