package dev.ficus.toolkit.controlroom;

import java.util.List;
import java.util.stream.Stream;

import org.springframework.jdbc.core.simple.JdbcClient;

/** A module's tables, and what ties its schema to others in the database: foreign keys and views across schemas. */
final class SchemaFacts {

    private final JdbcClient jdbc;

    SchemaFacts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Its tables, without the history of its migrations. */
    List<String> tables(String schema) {
        return jdbc.sql("""
                select table_name from information_schema.tables
                where table_schema = ? and table_type = 'BASE TABLE' and table_name <> 'flyway_schema_history'
                order by table_name""")
                .param(schema).query(String.class).list();
    }

    /** Each as "foreign key name: from → to" or "view name: reads table". */
    List<String> crossings(String schema) {
        List<String> keys = jdbc.sql("""
                select format('foreign key %s: %s.%s → %s.%s', c.conname, fn.nspname, f.relname, tn.nspname, t.relname)
                from pg_constraint c
                join pg_class f on f.oid = c.conrelid join pg_namespace fn on fn.oid = f.relnamespace
                join pg_class t on t.oid = c.confrelid join pg_namespace tn on tn.oid = t.relnamespace
                where c.contype = 'f' and fn.nspname <> tn.nspname and (fn.nspname = :schema or tn.nspname = :schema)
                order by 1""").param("schema", schema).query(String.class).list();
        List<String> views = jdbc.sql("""
                select distinct format('view %s.%s reads %s.%s', view_schema, view_name, table_schema, table_name)
                from information_schema.view_table_usage
                where view_schema <> table_schema and (view_schema = :schema or table_schema = :schema)
                order by 1""").param("schema", schema).query(String.class).list();
        return Stream.concat(keys.stream(), views.stream()).toList();
    }
}
