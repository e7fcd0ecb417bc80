package dev.ficus.toolkit.cdc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a database can be streamed from at all: what no retry mends, said in one sentence with
 * what to do, before a connector is started to find it out.
 */
final class CaptureReadiness {

    private CaptureReadiness() {
    }

    /**
     * What keeps {@code captured} from being streamed through {@code slot}; empty if nothing does.
     *
     * @throws SQLException when the database cannot be asked (which a retry may mend)
     */
    static Optional<String> problem(PostgresDatabase captured, String slot) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(captured.jdbcUrl(), captured.user(),
                captured.password());
             var statement = connection.createStatement()) {
            try (var walLevel = statement.executeQuery("show wal_level")) {
                walLevel.next();
                if (!"logical".equals(walLevel.getString(1))) {
                    problems.add("the server's wal_level is '" + walLevel.getString(1) + "', and change data capture "
                            + "needs 'logical' (set wal_level = logical in postgresql.conf, or ALTER SYSTEM SET "
                            + "wal_level = logical, and restart PostgreSQL)");
                }
            }
            try (var role = statement.executeQuery(
                    "select rolreplication or rolsuper from pg_roles where rolname = current_user")) {
                if (role.next() && !role.getBoolean(1)) {
                    problems.add("the user '" + captured.user() + "' may not replicate (ALTER ROLE " + captured.user()
                            + " WITH REPLICATION)");
                }
            }
            try (var slots = connection.prepareStatement("select (select count(*) from pg_replication_slots), "
                    + "current_setting('max_replication_slots')::int, "
                    + "exists (select 1 from pg_replication_slots where slot_name = ?)")) {
                slots.setString(1, slot);
                try (var result = slots.executeQuery()) {
                    result.next();
                    if (!result.getBoolean(3) && result.getLong(1) >= result.getLong(2)) {
                        problems.add("all " + result.getLong(2) + " replication slots of the server are taken "
                                + "(raise max_replication_slots, or drop a slot nobody uses)");
                    }
                }
            }
        }
        return problems.isEmpty() ? Optional.empty()
                : Optional.of("Cannot stream changes from " + captured.jdbcUrl() + ": " + String.join("; ", problems));
    }
}
