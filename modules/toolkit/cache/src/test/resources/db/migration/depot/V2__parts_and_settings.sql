create table parts (
    id       bigint primary key,
    thing_id bigint not null references things (id),
    name     text   not null
);

create table part_notes (
    id      bigint primary key,
    part_id bigint not null references parts (id),
    note    text   not null
);

-- Read through a cache that no captured change evicts: only the application's own evictions do.
create table settings (
    name  text primary key,
    value text not null
);
