package dev.ficus.toolkit.cache;

import java.sql.SQLException;
import java.util.Set;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Names a PostgreSQL database for the caches' second tier: {@code <system identifier>/<name>}.
 * The system identifier is the cluster's, fixed when it was created ({@code initdb}) and shared
 * by its physical replicas, so every instance of an application reads the same, and two
 * databases of the same name on different servers differ. Any user may read it by default
 * ({@code pg_control_system()}, PostgreSQL 9.6 and newer). Where that is revoked, the server's
 * address as the application reaches it stands in: {@code <host:port>/<name>}.
 */
final class DatabaseIdentity {

    private static final Logger log = LoggerFactory.getLogger(DatabaseIdentity.class);
    /** Permission denied, no such function, not supported: what a server that will not tell says. */
    private static final Set<String> NOT_TOLD = Set.of("42501", "42883", "0A000");

    private DatabaseIdentity() {
    }

    /**
     * @param jdbcUrl the application's JDBC URL, asked for only if the system identifier cannot be
     *                read
     */
    static Supplier<String> of(DataSource dataSource, Supplier<String> jdbcUrl) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.setQueryTimeout(5);
        return () -> read(jdbc, jdbcUrl);
    }

    /** @throws DataAccessException if the database does not answer */
    static String read(JdbcTemplate jdbc, Supplier<String> jdbcUrl) {
        try {
            return jdbc.queryForObject("select system_identifier || '/' || current_database() from pg_control_system()",
                    String.class);
        }
        catch (DataAccessException notPermitted) {
            if (!NOT_TOLD.contains(sqlState(notPermitted))) {
                throw notPermitted;
            }
            String database = jdbc.queryForObject("select current_database()", String.class);
            String address = address(jdbcUrl.get());
            log.warn("Cannot read the database's system identifier ({}): the caches' second tier names it by the "
                    + "address the application reaches it at, {}/{}. Instances that reach it at another address do "
                    + "not share the tier; grant EXECUTE ON FUNCTION pg_control_system() to this user for a name "
                    + "that does not depend on it", notPermitted.getMostSpecificCause().getMessage(), address, database);
            return address + "/" + database;
        }
    }

    private static String sqlState(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /** {@code host:port} of a {@code jdbc:postgresql://host:port/database?...} URL (several, if it has several). */
    static String address(String jdbcUrl) {
        String rest = jdbcUrl.replaceFirst("^jdbc:postgresql://", "");
        int end = rest.length();
        for (char separator : new char[] {'/', '?'}) {
            int at = rest.indexOf(separator);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return rest.substring(0, end);
    }
}
