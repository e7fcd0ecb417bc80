package dev.ficus.toolkit.cdc;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Creates the stream's own tables if they are missing: positions, dead letters, heartbeats. */
final class StreamTables {

    private StreamTables() {
    }

    static void ensure(JdbcClient jdbc, String schema) {
        jdbc.sql("""
                create schema if not exists %1$s;
                create table if not exists %1$s.offsets (
                    stream text  not null,
                    key    bytea not null,
                    value  bytea,
                    primary key (stream, key));
                create table if not exists %1$s.dead_letters (
                    id           bigserial   primary key,
                    stream       text        not null,
                    subscription text        not null,
                    table_name   text        not null,
                    position     bigint      not null,
                    change       jsonb       not null,
                    error        text        not null,
                    attempts     integer     not null,
                    failed_at    timestamptz not null,
                    replayed_at  timestamptz);
                create index if not exists dead_letters_pending on %1$s.dead_letters (stream) where replayed_at is null;
                alter table %1$s.dead_letters
                    add column if not exists row_key             text,
                    add column if not exists holds_table         boolean not null default false,
                    add column if not exists waits_behind        bigint,
                    add column if not exists replay_requested_at timestamptz,
                    add column if not exists replay_failed_at    timestamptz,
                    add column if not exists fingerprint         text;
                create index if not exists dead_letters_rows on %1$s.dead_letters (stream, subscription, table_name, row_key)
                    where replayed_at is null;
                drop index if exists %1$s.dead_letters_once;
                create unique index if not exists dead_letters_once_per_change
                    on %1$s.dead_letters (stream, subscription, table_name, position, fingerprint) where replayed_at is null;
                """.formatted(schema)).update();
        ensureHeartbeat(jdbc, schema);
    }

    /** The heartbeat table lives in the captured database: writing to it moves the slot on. */
    static void ensureHeartbeat(JdbcClient jdbc, String schema) {
        jdbc.sql("""
                create schema if not exists %1$s;
                create table if not exists %1$s.heartbeat (
                    stream  text        primary key,
                    beat_at timestamptz not null);
                """.formatted(schema)).update();
    }

    static String heartbeatQuery(String schema, String stream) {
        return "insert into %1$s.heartbeat (stream, beat_at) values ('%2$s', now()) "
                .formatted(schema, stream)
                + "on conflict (stream) do update set beat_at = excluded.beat_at";
    }
}
