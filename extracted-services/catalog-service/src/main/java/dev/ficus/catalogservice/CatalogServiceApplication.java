package dev.ficus.catalogservice;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The catalog as a service of its own: the shop's catalog API (same paths, JSON and errors) on a
 * database of its own, embedded PostgreSQL unless {@code spring.datasource.url} is set.
 */
@SpringBootApplication
public class CatalogServiceApplication {

    public static void main(String[] args) {
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
