package dev.ficus.toolkit.cdc;

import java.net.URI;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * A PostgreSQL database to stream from or to keep a stream's position in.
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host[:port]/database[?...]}
 * @param user     login
 * @param password password; empty for none
 */
public record PostgresDatabase(String jdbcUrl, String user, String password) {

    public PostgresDatabase {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("Change data capture needs a PostgreSQL URL, not " + jdbcUrl);
        }
        password = password == null ? "" : password;
    }

    /**
     * The application's database: from Spring Boot's connection details where it defines them
     * ({@code spring.datasource.*}, a service connection), else from the application's own
     * {@code DataSource} (its pool's settings, or what its connections report), SSL parameters of
     * the URL included.
     */
    public static PostgresDatabase of(JdbcConnectionDetails details, DataSource dataSource) {
        if (details != null) {
            return new PostgresDatabase(details.getJdbcUrl(), details.getUsername(), details.getPassword());
        }
        try {
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
                if (pool.getJdbcUrl() != null) {
                    return new PostgresDatabase(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
                }
            }
            try (Connection connection = dataSource.getConnection()) {
                DatabaseMetaData metaData = connection.getMetaData();
                return new PostgresDatabase(metaData.getURL(), metaData.getUserName(), null);
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot tell which database the application's DataSource connects to", e);
        }
    }

    String host() {
        return uri().getHost();
    }

    int port() {
        return uri().getPort() == -1 ? 5432 : uri().getPort();
    }

    String database() {
        return uri().getPath().replaceFirst("^/", "");
    }

    private URI uri() {
        String url = jdbcUrl.substring("jdbc:".length());
        int parameters = url.indexOf('?');
        return URI.create(parameters < 0 ? url : url.substring(0, parameters));
    }
}
