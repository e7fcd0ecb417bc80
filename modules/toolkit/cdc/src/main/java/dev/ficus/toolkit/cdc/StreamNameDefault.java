package dev.ficus.toolkit.cdc;

import java.util.Locale;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Names the change stream after the application ({@code spring.application.name}, made a plain
 * lower-case identifier) unless {@code ficus.cdc.name} is set: its replication slot and
 * publication are cluster-wide, so two applications on one PostgreSQL do not collide by default.
 */
class StreamNameDefault implements EnvironmentPostProcessor {

    static final String SOURCE = "ficusChangeStreamName";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String applicationName = environment.getProperty("spring.application.name");
        if (applicationName == null || applicationName.isBlank() || environment.containsProperty("ficus.cdc.name")) {
            return;
        }
        environment.getPropertySources().addLast(
                new MapPropertySource(SOURCE, Map.of("ficus.cdc.name", identifier(applicationName))));
    }

    /** {@code Pet Clinic-2} becomes {@code pet_clinic_2}; one starting with a digit gets a leading underscore. */
    static String identifier(String name) {
        String plain = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        if (Character.isDigit(plain.charAt(0))) {
            plain = "_" + plain;
        }
        return plain.length() > 63 ? plain.substring(0, 63) : plain;
    }
}
