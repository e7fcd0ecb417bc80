package dev.ficus.systemtests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.awaitility.Awaitility.await;

/**
 * The shop and catalog-service (and, when a test starts it, inventory-service), each run from its
 * jar as a process of its own, on free ports, each with its own embedded PostgreSQL in a working
 * folder; they know each other's addresses (the services replicate from the shop's database, the
 * shop calls catalog-service and can sync back from its database) and share an exchange of their
 * own on the machine's RabbitMQ. Operators use {@code ops} / {@code secret}. The shop issues the
 * tokens (its demo accounts: {@link Login}); the services check them against the keys it publishes.
 */
final class ShopAndService {

    private static final Duration STARTUP = Duration.ofMinutes(3);

    final int shopPostgres = JavaProcess.freePort();
    final int servicePostgres = JavaProcess.freePort();
    final Http shop = Http.to(JavaProcess.freePort());
    final Http service = Http.to(JavaProcess.freePort());
    final int inventoryPostgres = JavaProcess.freePort();
    final Http inventory = Http.to(JavaProcess.freePort());
    /** This run's exchange: queues are named after it and expire, so runs never meet. */
    final String exchange = "system-tests-" + UUID.randomUUID().toString().substring(0, 8);
    private final Path work;
    private final String name;
    private JavaProcess shopProcess;
    private JavaProcess serviceProcess;
    private JavaProcess inventoryProcess;

    /** @param name prefixes the processes' logs in system-tests/target */
    ShopAndService(Path work, String name) {
        this.work = work;
        this.name = name;
    }

    /** Starts the shop, with these settings besides the common ones, and waits until it is ready. */
    void startShop(String... settings) {
        List<String> arguments = List.of(
                "--server.port=" + shop.port(),
                "--ficus.embedded-postgres.data-directory=" + work.resolve("shop-postgres"),
                "--ficus.embedded-postgres.port=" + shopPostgres,
                "--spring.security.user.name=ops", "--spring.security.user.password=secret",
                "--ficus.catalog-service.url=http://127.0.0.1:" + service.port(),
                "--ficus.replication.source.url=" + serviceDatabaseUrl(),
                "--ficus.inventory-service.url=http://127.0.0.1:" + inventory.port(),
                "--ficus.messaging.exchange=" + exchange,
                "--ficus.messaging.consumers.expires=30m");
        shopProcess = new JavaProcess(name + "shop", JavaProcess.executableJar("app", "ficus-app"),
                overridden(arguments, settings)).start();
        awaitReady(shop, shopProcess);
    }

    /**
     * Starts catalog-service, replicating from the shop's database and checking tokens against the
     * shop's keys, with these settings besides the common ones, and waits until it is ready.
     */
    void startService(String... settings) {
        serviceProcess = serviceJar(name + "catalog-service", overridden(List.of(
                "--server.port=" + service.port(),
                "--ficus.embedded-postgres.data-directory=" + work.resolve("service-postgres"),
                "--ficus.embedded-postgres.port=" + servicePostgres,
                "--spring.security.user.name=ops", "--spring.security.user.password=secret",
                "--ficus.identity.jwk-set-uri=" + shopKeys(),
                "--ficus.replication.source.url=" + shopDatabaseUrl()), settings)).start();
        awaitReady(service, serviceProcess);
    }

    /**
     * Starts inventory-service, replicating the inventory from the shop's database and checking tokens
     * against the shop's keys, and waits until it is ready.
     */
    void startInventoryService(String... settings) {
        List<String> arguments = List.of(
                "--server.port=" + inventory.port(),
                "--ficus.embedded-postgres.data-directory=" + work.resolve("inventory-postgres"),
                "--ficus.embedded-postgres.port=" + inventoryPostgres,
                "--spring.security.user.name=ops", "--spring.security.user.password=secret",
                "--ficus.identity.jwk-set-uri=" + shopKeys(),
                "--ficus.replication.source.url=" + shopDatabaseUrl(),
                "--ficus.messaging.exchange=" + exchange,
                "--ficus.messaging.consumers.expires=30m");
        inventoryProcess = new JavaProcess(name + "inventory-service",
                JavaProcess.executableJar("extracted-services/inventory-service", "ficus-inventory-service"),
                overridden(arguments, settings)).start();
        awaitReady(inventory, inventoryProcess);
    }

    /** SIGKILL; returns the exit code. */
    int killInventoryService() throws InterruptedException {
        return inventoryProcess.kill();
    }

    /** SIGKILL; returns the exit code. */
    int killShop() throws InterruptedException {
        return shopProcess.kill();
    }

    JdbcClient inventoryDatabase() {
        return jdbc("jdbc:postgresql://127.0.0.1:" + inventoryPostgres + "/inventory_service");
    }

    /** {@code java -jar catalog-service <arguments>} as a command, against both running databases. */
    JavaProcess.Finished runServiceCommand(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(arguments));
        command.add("--spring.datasource.url=" + serviceDatabaseUrl());
        command.add("--ficus.replication.source.url=" + shopDatabaseUrl());
        return serviceJar(name + "command-" + UUID.randomUUID(), command).runToEnd();
    }

    void stopShop() throws InterruptedException {
        shopProcess.stop();
    }

    /** SIGKILL; returns the exit code. */
    int killService() throws InterruptedException {
        return serviceProcess.kill();
    }

    void stop() throws InterruptedException {
        for (JavaProcess process : new JavaProcess[] {inventoryProcess, serviceProcess, shopProcess}) {
            if (process != null) {
                process.stop();
            }
        }
    }

    JdbcClient shopDatabase() {
        return jdbc(shopDatabaseUrl());
    }

    JdbcClient serviceDatabase() {
        return jdbc(serviceDatabaseUrl());
    }

    static Http admin(Http application) {
        return application.as("ops", "secret");
    }

    /** Where the shop publishes the keys its tokens are signed with: the services fetch them there. */
    private String shopKeys() {
        return "http://127.0.0.1:" + shop.port() + "/oauth2/jwks";
    }

    private String shopDatabaseUrl() {
        return "jdbc:postgresql://127.0.0.1:" + shopPostgres + "/ficus";
    }

    private String serviceDatabaseUrl() {
        return "jdbc:postgresql://127.0.0.1:" + servicePostgres + "/catalog_service";
    }

    /**
     * The common arguments, but those a test's settings name again, then the settings: Spring Boot
     * would join two values of one property with a comma rather than take the later.
     */
    private static List<String> overridden(List<String> common, String... settings) {
        List<String> named = Arrays.stream(settings).map(ShopAndService::property).toList();
        List<String> arguments = new ArrayList<>(common.stream().filter(argument -> !named.contains(property(argument)))
                .toList());
        arguments.addAll(List.of(settings));
        return arguments;
    }

    private static String property(String argument) {
        int equals = argument.indexOf('=');
        return equals < 0 ? argument : argument.substring(0, equals);
    }

    private static JavaProcess serviceJar(String name, List<String> arguments) {
        return new JavaProcess(name,
                JavaProcess.executableJar("extracted-services/catalog-service", "ficus-catalog-service"), arguments);
    }

    private static void awaitReady(Http application, JavaProcess process) {
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.alive()) {
                throw new IllegalStateException(process + " exited; see system-tests/target/" + process + ".log");
            }
            return application.status("/actuator/health/readiness") == 200;
        });
    }

    private static JdbcClient jdbc(String url) {
        return JdbcClient.create(new SimpleDriverDataSource(new org.postgresql.Driver(), url, "postgres", ""));
    }
}
