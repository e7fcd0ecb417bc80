package dev.ficus.toolkit.cdc;

import java.net.URI;

/** Where the captured database is, as Debezium wants it. */
record PostgresTarget(String host, int port, String database, String user, String password, String jdbcUrl) {

    static PostgresTarget fromJdbcUrl(String jdbcUrl, String user, String password) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("Change data capture needs a PostgreSQL URL, not " + jdbcUrl);
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String database = uri.getPath().replaceFirst("^/", "");
        return new PostgresTarget(uri.getHost(), uri.getPort() == -1 ? 5432 : uri.getPort(), database,
                user, password == null ? "" : password, jdbcUrl);
    }
}
