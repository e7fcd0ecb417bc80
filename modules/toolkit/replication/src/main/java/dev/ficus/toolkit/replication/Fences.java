package dev.ficus.toolkit.replication;

import java.util.List;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fences in a database: once a table's writes moved to the other side of an extraction, a trigger
 * refuses every write to it here, from any client (the application, a batch job, psql), with
 * SQLSTATE {@value #SQLSTATE} and a message naming where writes went. Replication's own
 * transactions (marked by {@link MarkedWrites}) still write, so the copy here stays current.
 *
 * <p>Putting up a fence takes a lock that waits for transactions already writing the table and
 * keeps new ones out until the fence stands: no write can slip past it, and every write made
 * before it is in the log before the fence.
 */
final class Fences {

    /** What a write to a fenced table fails with. */
    static final String SQLSTATE = "FX409";

    private final String schema;

    Fences(String schema) {
        this.schema = schema;
    }

    private String table() {
        return schema + ".fences";
    }

    /** Refuses writes to {@code tables} (schema.table) from now on, saying they moved to {@code movedTo}. */
    void fence(DataSource database, List<String> tables, String movedTo) {
        inOneTransaction(database, jdbc -> {
            // Waits for the writers in flight, not for ever: a switch that cannot get the lock gives up.
            jdbc.execute("set local lock_timeout = '10s'");
            ensure(jdbc);
            for (String table : tables) {
                jdbc.execute("lock table " + table + " in share row exclusive mode");
                jdbc.execute("create or replace trigger ficus_fence before insert or update or delete or truncate on "
                        + table + " for each statement execute function " + schema + ".refuse_fenced_writes()");
                jdbc.update("insert into " + table() + " (table_name, moved_to, fenced_at) values (?, ?, now()) "
                        + "on conflict (table_name) do update set moved_to = excluded.moved_to, fenced_at = now()",
                        table, movedTo);
            }
        });
    }

    /** Takes the fences of {@code tables} down: writes are taken here again. */
    void unfence(DataSource database, List<String> tables) {
        inOneTransaction(database, jdbc -> {
            ensure(jdbc);
            for (String table : tables) {
                jdbc.update("delete from " + table() + " where table_name = ?", table);
            }
        });
    }

    /** Whether any of {@code tables} is fenced in {@code database}. */
    boolean anyFenced(DataSource database, List<String> tables) {
        JdbcTemplate jdbc = new JdbcTemplate(database);
        Boolean exists = jdbc.queryForObject("select to_regclass(?) is not null", Boolean.class, table());
        return Boolean.TRUE.equals(exists) && Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists(select 1 from " + table() + " where table_name = any(?))", Boolean.class,
                (Object) tables.toArray(String[]::new)));
    }

    private void ensure(JdbcTemplate jdbc) {
        jdbc.execute("""
                create schema if not exists %1$s;
                create table if not exists %1$s.fences (
                    table_name text        primary key,
                    moved_to   text        not null,
                    fenced_at  timestamptz not null);
                create or replace function %1$s.refuse_fenced_writes() returns trigger language plpgsql as $fence$
                declare
                    moved_to text;
                begin
                    if coalesce(current_setting('%2$s', true), '') <> '' then
                        return null;
                    end if;
                    select f.moved_to into moved_to from %1$s.fences f
                     where f.table_name = tg_table_schema || '.' || tg_table_name;
                    if moved_to is not null then
                        raise exception using errcode = '%3$s',
                            message = format('Writes to %%I.%%I moved to %%s: this side keeps a copy and takes no writes',
                                             tg_table_schema, tg_table_name, moved_to);
                    end if;
                    return null;
                end
                $fence$;
                """.formatted(schema, MarkedWrites.WRITER_SETTING, SQLSTATE));
    }

    private static void inOneTransaction(DataSource database,
            Consumer<JdbcTemplate> work) {
        new TransactionTemplate(new DataSourceTransactionManager(database))
                .executeWithoutResult(status -> work.accept(new JdbcTemplate(database)));
    }
}
