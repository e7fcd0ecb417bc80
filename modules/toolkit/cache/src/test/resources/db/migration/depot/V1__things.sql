create table things (
    id   bigint primary key,
    code text unique not null,
    name text not null
);

create table pairs (
    left_id  integer not null,
    right_id integer not null,
    label    text    not null,
    primary key (left_id, right_id)
);
