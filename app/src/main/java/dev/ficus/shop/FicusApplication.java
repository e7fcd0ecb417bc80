package dev.ficus.shop;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The shop: one deployable made of the bounded contexts below this package (catalog,
 * customers, inventory, orders), each a Spring Modulith application module.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class FicusApplication {

    public static void main(String[] args) {
        SpringApplication.run(FicusApplication.class, args);
    }
}
