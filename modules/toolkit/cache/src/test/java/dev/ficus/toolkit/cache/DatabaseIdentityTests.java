package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

import static org.assertj.core.api.Assertions.assertThat;

/** How the second tier names the database: by the cluster's system identifier, which any user may read. */
class DatabaseIdentityTests {

    @Test
    void aDatabaseIsNamedByItsClustersSystemIdentifierOrElseByItsAddress() {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.obtain(new EmbeddedPostgresProperties(true, "", 0,
                "cache_identity", Duration.ofSeconds(60), Map.of()))) {
            JdbcTemplate admin = jdbc(server, "postgres");
            String systemIdentifier = admin.queryForObject("select system_identifier::text from pg_control_system()",
                    String.class);
            admin.execute("create role cache_reader login");
            JdbcTemplate reader = jdbc(server, "cache_reader");

            assertThat(DatabaseIdentity.read(reader, server::jdbcUrl)).as("read by a user without any privilege")
                    .isEqualTo(systemIdentifier + "/cache_identity");

            admin.execute("revoke execute on function pg_control_system() from public");
            assertThat(DatabaseIdentity.read(reader, server::jdbcUrl))
                    .isEqualTo("127.0.0.1:" + server.port() + "/cache_identity");
        }
    }

    @Test
    void theAddressIsTheUrlsHostsAndPorts() {
        assertThat(DatabaseIdentity.address("jdbc:postgresql://db.internal:5433/shop?sslmode=require"))
                .isEqualTo("db.internal:5433");
        assertThat(DatabaseIdentity.address("jdbc:postgresql://a:5432,b:5432/shop")).isEqualTo("a:5432,b:5432");
        assertThat(DatabaseIdentity.address("jdbc:postgresql://localhost?user=x")).isEqualTo("localhost");
    }

    private static JdbcTemplate jdbc(EmbeddedPostgresServer server, String user) {
        return new JdbcTemplate(new SimpleDriverDataSource(new Driver(), server.jdbcUrl(), user, ""));
    }
}
