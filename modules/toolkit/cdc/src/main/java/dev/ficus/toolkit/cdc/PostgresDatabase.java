package dev.ficus.toolkit.cdc;

import java.net.URI;

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
