-- Captured by a subscriber that buffers its changes and writes them at the end of each batch.
create table crates (
    id          bigint primary key,
    label       text not null,
    contents    bytea,
    packed_at   timestamp(6),
    packed_on   date,
    weight      numeric,
    tags        text[]
);
