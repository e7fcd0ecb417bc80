package dev.ficus.toolkit.moduleschemas;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;
import javax.tools.ToolProvider;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Applications with migrations of their own, directly in {@code db/migration} (the test
 * resources' {@code apps/} folder): with module folders ({@code root-and-modules}: notes of its
 * own, modules gamma and delta with a table "things" each), without ({@code root-only}), and none.
 * Each application starts on a new, empty database of one embedded server.
 */
class ApplicationMigrationsTests {

    private static final AtomicInteger databases = new AtomicInteger();

    private static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = EmbeddedPostgresServer.obtain(new EmbeddedPostgresProperties(true, "", 0,
                "application_migrations", Duration.ofSeconds(60), Map.of()));
    }

    @AfterAll
    static void stopPostgres() {
        postgres.close();
    }

    @Test
    void theApplicationsOwnMigrationsRunFirstIntoTheDefaultSchemaWithSpringBootsHistory() {
        withModuleSchemas(ApplicationClassPath.of("root-and-modules"), newDatabase()).run(context -> {
            assertThat(context.getBean(ModuleSchemas.class).modules()).containsExactly("delta", "gamma");
            JdbcTemplate jdbc = jdbc(context.getBean(DataSource.class));

            assertThat(jdbc.queryForList("select text from public.notes order by text", String.class))
                    .containsExactly("first note", "second note");
            assertThat(jdbc.queryForList("select version || ' ' || script from public.flyway_schema_history"
                    + " where success order by installed_rank", String.class))
                    .containsExactly("1 V1__notes.sql", "2 V2__more_notes.sql");
            assertThat(jdbc.queryForObject("select count(*) from public.flyway_schema_history", Integer.class))
                    .isEqualTo(2);
            assertThat(jdbc.queryForObject("select to_regclass('public.things') is null", Boolean.class)).isTrue();

            assertThat(jdbc.queryForList("select name from gamma.things", String.class)).containsExactly("gamma thing");
            assertThat(jdbc.queryForList("select name from delta.things order by name", String.class))
                    .containsExactly("another delta thing", "delta thing");
            assertThat(jdbc.queryForList("select version || ' ' || script from delta.flyway_schema_history"
                    + " where version is not null order by installed_rank", String.class))
                    .containsExactly("1 V1__things.sql", "2 V2__more_things.sql");
            assertThat(jdbc.queryForObject("select to_regclass('delta.notes') is null and to_regclass('gamma.notes') is null",
                    Boolean.class)).isTrue();

            assertThat(jdbc.queryForObject("""
                    select (select max(installed_on) from public.flyway_schema_history)
                        <= (select min(installed_on) from delta.flyway_schema_history)
                    """, Boolean.class)).as("the application's migrations ran before the modules'").isTrue();
        });
    }

    @Test
    void aModulesJavaMigrationsRunInTheModulesSchemaOnly(@TempDir Path classes) throws IOException {
        compile(classes, "db.migration.gamma.V2__Backfill", """
                package db.migration.gamma;

                public class V2__Backfill extends org.flywaydb.core.api.migration.BaseJavaMigration {

                    @Override
                    public void migrate(org.flywaydb.core.api.migration.Context context) throws Exception {
                        try (var statement = context.getConnection().createStatement()) {
                            statement.execute("insert into things values ('gamma thing from Java')");
                        }
                    }
                }
                """);
        withModuleSchemas(ApplicationClassPath.of("root-and-modules", classes), newDatabase()).run(context -> {
            JdbcTemplate jdbc = jdbc(context.getBean(DataSource.class));

            assertThat(jdbc.queryForList("select name from gamma.things order by name", String.class))
                    .containsExactly("gamma thing", "gamma thing from Java");
            assertThat(jdbc.queryForList("select version || ' ' || script || ' ' || type from gamma.flyway_schema_history"
                    + " where version is not null order by installed_rank", String.class))
                    .containsExactly("1 V1__things.sql SQL", "2 db.migration.gamma.V2__Backfill JDBC");
            assertThat(jdbc.queryForList("select script from public.flyway_schema_history order by installed_rank",
                    String.class)).containsExactly("V1__notes.sql", "V2__more_notes.sql");
        });
    }

    @Test
    void startingAgainOnTheSameDatabaseMigratesNothing() {
        AtomicReference<Map<String, List<Map<String, Object>>>> afterFirstStart = new AtomicReference<>();
        var application = withModuleSchemas(ApplicationClassPath.of("root-and-modules"), newDatabase());

        application.run(first -> afterFirstStart.set(histories(jdbc(first.getBean(DataSource.class)))));
        application.run(second -> {
            JdbcTemplate jdbc = jdbc(second.getBean(DataSource.class));
            assertThat(histories(jdbc)).isEqualTo(afterFirstStart.get());
            assertThat(jdbc.queryForObject("select count(*) from public.notes", Integer.class)).isEqualTo(2);
            assertThat(jdbc.queryForObject("select count(*) from delta.things", Integer.class)).isEqualTo(2);
            assertThat(jdbc.queryForObject("select count(*) from gamma.things", Integer.class)).isEqualTo(1);
        });
        assertThat(afterFirstStart.get()).containsOnlyKeys("public", "delta", "gamma");
        assertThat(afterFirstStart.get().get("public")).hasSize(2);
    }

    @Test
    void withOnlyItsOwnMigrationsAnApplicationIsMigratedExactlyAsSpringBootMigratesIt() {
        AtomicReference<Database> bySpringBoot = new AtomicReference<>();
        springBoot(ApplicationClassPath.of("root-only"), newDatabase())
                .run(context -> bySpringBoot.set(Database.of(context.getBean(DataSource.class))));
        withModuleSchemas(ApplicationClassPath.of("root-only"), newDatabase()).run(context -> {
            assertThat(context).hasSingleBean(ModuleSchemas.class);
            Database withModuleSchemas = Database.of(context.getBean(DataSource.class));

            assertThat(withModuleSchemas).isEqualTo(bySpringBoot.get());
            assertThat(withModuleSchemas.relations()).contains("public.flyway_schema_history", "public.notes",
                    "public.note_count");
            assertThat(withModuleSchemas.histories().get("public")).extracting(row -> row.get("script"))
                    .containsExactly("V1__notes.sql", "V2__more_notes.sql", "R__note_count.sql");
            assertThat(jdbc(context.getBean(DataSource.class)).queryForObject("select notes from note_count", Integer.class))
                    .isEqualTo(2);
        });
    }

    @Test
    void withoutAnyMigrationsAnApplicationIsLeftAsSpringBootLeavesIt() {
        AtomicReference<Database> bySpringBoot = new AtomicReference<>();
        springBoot(ApplicationClassPath.withoutMigrations(), newDatabase())
                .run(context -> bySpringBoot.set(Database.of(context.getBean(DataSource.class))));
        withModuleSchemas(ApplicationClassPath.withoutMigrations(), newDatabase()).run(context -> {
            assertThat(context.getBean(ModuleSchemas.class).modules()).isEmpty();
            assertThat(Database.of(context.getBean(DataSource.class))).isEqualTo(bySpringBoot.get());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = { "ficus.module-schemas.enabled=false", "spring.modulith.runtime.flyway-enabled=true" })
    void turnedOffSpringBootRunsFlywayOnItsOwn(String setting) {
        withModuleSchemas(ApplicationClassPath.of("root-only"), newDatabase()).withPropertyValues(setting).run(context -> {
            assertThat(context).doesNotHaveBean(ModuleSchemas.class).doesNotHaveBean(FlywayMigrationStrategy.class);
            JdbcTemplate jdbc = jdbc(context.getBean(DataSource.class));
            assertThat(jdbc.queryForObject("select count(*) from public.flyway_schema_history", Integer.class))
                    .isEqualTo(3);
            assertThat(jdbc.queryForObject("select notes from note_count", Integer.class)).isEqualTo(2);
        });
    }

    @Test
    void anApplicationsOwnMigrationStrategyWins() {
        FlywayMigrationStrategy own = flyway -> { };
        withModuleSchemas(ApplicationClassPath.of("root-only"), newDatabase())
                .withBean(FlywayMigrationStrategy.class, () -> own)
                .run(context -> {
                    assertThat(context.getBean(FlywayMigrationStrategy.class)).isSameAs(own);
                    assertThat(jdbc(context.getBean(DataSource.class))
                            .queryForObject("select to_regclass('public.flyway_schema_history') is null", Boolean.class))
                            .isTrue();
                });
    }

    /** Spring Boot's Flyway alone, for an application with {@code classPath}, on {@code database}. */
    private static ApplicationContextRunner springBoot(ClassLoader classPath, String database) {
        return new ApplicationContextRunner()
                .withClassLoader(classPath)
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        FlywayAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + postgres.jdbcUrl(database),
                        "spring.datasource.username=" + postgres.username());
    }

    /** The same with the module schemas. */
    private static ApplicationContextRunner withModuleSchemas(ClassLoader classPath, String database) {
        return springBoot(classPath, database)
                .withConfiguration(AutoConfigurations.of(ModuleSchemasAutoConfiguration.class));
    }

    /** A new, empty database on the embedded server. */
    private static String newDatabase() {
        String database = "application_" + databases.incrementAndGet();
        postgres.createDatabaseIfAbsent(database);
        return database;
    }

    /** Compiles {@code source} into {@code classes}, against Flyway. */
    private static void compile(Path classes, String className, String source) throws IOException {
        Path file = Files.createDirectories(classes.resolve("src"))
                .resolve(className.substring(className.lastIndexOf('.') + 1) + ".java");
        Files.writeString(file, source);
        String flyway = Path.of(URI.create(BaseJavaMigration.class.getProtectionDomain().getCodeSource()
                .getLocation().toString())).toString();
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-d", classes.toString(), "-cp", flyway, file.toString());
        assertThat(status).as("javac's exit status").isZero();
    }

    private static JdbcTemplate jdbc(DataSource dataSource) {
        return new JdbcTemplate(dataSource);
    }

    /** Every Flyway history in the database, by schema, without when and how long. */
    private static Map<String, List<Map<String, Object>>> histories(JdbcTemplate jdbc) {
        Map<String, List<Map<String, Object>>> histories = new TreeMap<>();
        for (String schema : jdbc.queryForList("""
                select table_schema from information_schema.tables
                where table_name = 'flyway_schema_history' order by 1
                """, String.class)) {
            histories.put(schema, jdbc.queryForList("select installed_rank, version, description, type, script,"
                    + " checksum, installed_by, success from " + schema + ".flyway_schema_history order by installed_rank"));
        }
        return histories;
    }

    /** What migrations leave in a database: its tables and views, and every Flyway history. */
    record Database(List<String> relations, Map<String, List<Map<String, Object>>> histories) {

        static Database of(DataSource dataSource) {
            JdbcTemplate jdbc = jdbc(dataSource);
            return new Database(jdbc.queryForList("""
                    select table_schema || '.' || table_name from information_schema.tables
                    where table_schema not in ('pg_catalog', 'information_schema') order by 1
                    """, String.class), ApplicationMigrationsTests.histories(jdbc));
        }
    }
}
