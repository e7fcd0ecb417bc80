package dev.ficus.systemtests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.awaitility.Awaitility.await;

/**
 * The shop and catalog-service, each run from its jar as a process of its own, on free ports,
 * each with its own embedded PostgreSQL in a working folder; they know each other's addresses
 * (the service replicates from the shop's database, the shop calls the service and can sync back
 * from its database). Operators use {@code ops} / {@code secret}.
 */
final class ShopAndService {

    private static final Duration STARTUP = Duration.ofMinutes(3);

    final int shopPostgres = JavaProcess.freePort();
    final int servicePostgres = JavaProcess.freePort();
    final Http shop = Http.to(JavaProcess.freePort());
    final Http service = Http.to(JavaProcess.freePort());
    private final Path work;
    private final String name;
    private JavaProcess shopProcess;
    private JavaProcess serviceProcess;

    /** @param name prefixes the processes' logs in system-tests/target */
    ShopAndService(Path work, String name) {
        this.work = work;
        this.name = name;
    }

    /** Starts the shop, with these settings besides the common ones, and waits until it is ready. */
    void startShop(String... settings) {
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=" + shop.port(),
                "--ficus.embedded-postgres.data-directory=" + work.resolve("shop-postgres"),
                "--ficus.embedded-postgres.port=" + shopPostgres,
                "--spring.security.user.name=ops", "--spring.security.user.password=secret",
                "--ficus.catalog-service.url=http://127.0.0.1:" + service.port(),
                "--ficus.replication.source.url=" + serviceDatabaseUrl()));
        arguments.addAll(List.of(settings));
        shopProcess = new JavaProcess(name + "shop", JavaProcess.executableJar("app", "ficus-app"), arguments).start();
        awaitReady(shop, shopProcess);
    }

    /** Starts catalog-service, replicating from the shop's database, and waits until it is ready. */
    void startService() {
        serviceProcess = serviceJar(name + "catalog-service", List.of(
                "--server.port=" + service.port(),
                "--ficus.embedded-postgres.data-directory=" + work.resolve("service-postgres"),
                "--ficus.embedded-postgres.port=" + servicePostgres,
                "--spring.security.user.name=ops", "--spring.security.user.password=secret",
                "--ficus.replication.source.url=" + shopDatabaseUrl())).start();
        awaitReady(service, serviceProcess);
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
        for (JavaProcess process : new JavaProcess[] {serviceProcess, shopProcess}) {
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

    private String shopDatabaseUrl() {
        return "jdbc:postgresql://127.0.0.1:" + shopPostgres + "/ficus";
    }

    private String serviceDatabaseUrl() {
        return "jdbc:postgresql://127.0.0.1:" + servicePostgres + "/catalog_service";
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
