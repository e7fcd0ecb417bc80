package dev.ficus.toolkit.embeddedpostgres;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the PostgreSQL server started when no {@code spring.datasource.url} is configured.
 *
 * @param enabled         start a server at all when no datasource URL is configured
 * @param dataDirectory   where the server keeps its files; blank means a temporary directory
 *                        that is deleted when the server stops
 * @param port            TCP port on 127.0.0.1; 0 picks a free one
 * @param database        database created on first start and handed to the application
 * @param startupTimeout  how long to wait for the server to accept connections
 * @param serverSettings  extra {@code postgresql.conf} settings; they win over the defaults,
 *                        which make the server ready for logical decoding (change data capture)
 */
@ConfigurationProperties("ficus.embedded-postgres")
public record EmbeddedPostgresProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("") String dataDirectory,
        @DefaultValue("0") int port,
        @DefaultValue("ficus") String database,
        @DefaultValue("60s") Duration startupTimeout,
        Map<String, String> serverSettings) {

    public EmbeddedPostgresProperties {
        serverSettings = serverSettings == null ? Map.of() : Map.copyOf(serverSettings);
        if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException(
                    "ficus.embedded-postgres.database must be a plain lower-case identifier, not '" + database + "'");
        }
    }

    boolean persistent() {
        return !dataDirectory.isBlank();
    }
}
