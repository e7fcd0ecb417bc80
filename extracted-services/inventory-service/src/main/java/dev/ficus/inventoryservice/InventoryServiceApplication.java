package dev.ficus.inventoryservice;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The inventory as a service of its own: it reserves stock for the orders the shop publishes to
 * RabbitMQ and answers through its own outbox, on a database of its own (embedded PostgreSQL
 * unless {@code spring.datasource.url} is set), a copy of the shop's inventory tables until it
 * takes them over.
 */
@SpringBootApplication
public class InventoryServiceApplication {

    public static void main(String[] args) {
        builder().run(args);
    }

    /**
     * The service as {@link #main} starts it, its settings read from {@code inventory-service.yaml}
     * (so that it can run in one JVM beside another Spring Boot application).
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(InventoryServiceApplication.class)
                .properties("spring.config.name=inventory-service");
    }
}
