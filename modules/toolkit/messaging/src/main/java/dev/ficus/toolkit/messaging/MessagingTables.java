package dev.ficus.toolkit.messaging;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Creates the outbox and the inbox when they are missing. */
final class MessagingTables {

    private MessagingTables() {
    }

    static void ensure(JdbcClient jdbc, String schema) {
        jdbc.sql("""
                create schema if not exists %1$s;
                create table if not exists %1$s.outbox (
                    id            uuid        primary key,
                    type          text        not null,
                    version       integer     not null,
                    partition_key text        not null,
                    payload       jsonb       not null,
                    headers       jsonb       not null,
                    created_at    timestamptz not null default now());
                create index if not exists outbox_created on %1$s.outbox (created_at);
                create table if not exists %1$s.inbox (
                    consumer    text        not null,
                    message_id  uuid        not null,
                    received_at timestamptz not null default now(),
                    primary key (consumer, message_id));
                """.formatted(schema)).update();
    }
}
