package dev.ficus.toolkit.replication;

import org.springframework.jdbc.core.simple.JdbcClient;

/** The replication's own tables, created when missing. */
final class ReplicationTables {

    private ReplicationTables() {
    }

    /** One row per replication writing into a database, bumped by each transaction it commits. */
    static String marks(String schema) {
        return schema + ".applied_batches";
    }

    static String phase(String schema) {
        return schema + ".phase";
    }

    /** Which source column fed which target column: see {@link MappingHistory}. */
    static String mappings(String schema) {
        return schema + ".mappings";
    }

    /** Which run of the replication's stream may write here: see {@link MarkedWrites#claim}. */
    static String terms(String schema) {
        return schema + ".terms";
    }

    /** Rows both sides changed to the same version with different contents: see {@link ReplicationApplier}. */
    static String conflicts(String schema) {
        return schema + ".conflicts";
    }

    /** In the source: the marks of a replication in the other direction, which this one streams. */
    static void ensureInSource(JdbcClient source, String schema) {
        source.sql("""
                create schema if not exists %1$s;
                create table if not exists %2$s (
                    replication text        primary key,
                    batches     bigint      not null,
                    applied_at  timestamptz not null);
                """.formatted(schema, marks(schema))).update();
    }

    /** Here: this replication's marks row, its phase, its mapping record and its conflicts. */
    static void ensureHere(JdbcClient here, String schema, String replication, ExtractionPhase initialPhase) {
        ensureInSource(here, schema);
        here.sql("""
                create table if not exists %1$s (
                    replication text        primary key,
                    phase       text        not null,
                    changed_at  timestamptz not null);
                create table if not exists %2$s (
                    replication   text not null,
                    target_table  text not null,
                    target_column text not null,
                    source_column text not null,
                    primary key (replication, target_table, target_column));
                create table if not exists %3$s (
                    id            bigserial   primary key,
                    replication   text        not null,
                    table_name    text        not null,
                    row_key       jsonb       not null,
                    version       text        not null,
                    incoming      jsonb       not null,
                    kept          text        not null,
                    detected_at   timestamptz not null);
                create table if not exists %4$s (
                    replication text        primary key,
                    term        text        not null,
                    since       timestamptz not null);
                """.formatted(phase(schema), mappings(schema), conflicts(schema), terms(schema))).update();
        here.sql("insert into " + marks(schema) + " (replication, batches, applied_at) values (?, 0, now()) "
                + "on conflict do nothing").param(replication).update();
        here.sql("insert into " + phase(schema) + " (replication, phase, changed_at) values (?, ?, now()) "
                + "on conflict do nothing").params(replication, initialPhase.name()).update();
    }
}
