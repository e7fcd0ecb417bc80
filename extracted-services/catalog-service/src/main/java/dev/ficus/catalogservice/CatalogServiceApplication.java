package dev.ficus.catalogservice;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

import dev.ficus.toolkit.replication.ReconcileCommand;

/**
 * The catalog as a service of its own: the shop's catalog API (same paths, JSON and errors) on a
 * database of its own, embedded PostgreSQL unless {@code spring.datasource.url} is set.
 */
@SpringBootApplication
public class CatalogServiceApplication {

    /**
     * Starts the service; {@code reconcile [--repair]} instead compares its catalog with the shop's
     * (see {@link ReconcileCommand}), connecting to the service's running database.
     */
    public static void main(String[] args) {
        if (ReconcileCommand.requested(args)) {
            System.exit(ReconcileCommand.run(builder().properties(
                    "ficus.embedded-postgres.enabled=false",
                    "spring.datasource.url=jdbc:postgresql://127.0.0.1:15433/catalog_service",
                    "spring.datasource.username=postgres"), System.out, args));
        }
        builder().run(args);
    }

    /**
     * The service as {@link #main} starts it. Its settings are read from {@code catalog-service.yaml},
     * not {@code application.yaml}, so that it can run in one JVM beside another Spring Boot
     * application (the shop, in tests) without either reading the other's configuration. Add
     * {@link SpringApplicationBuilder#properties(String...) properties} to start it elsewhere, for
     * example on {@code server.port=0}.
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(CatalogServiceApplication.class)
                .properties("spring.config.name=catalog-service");
    }
}
