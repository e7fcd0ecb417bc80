-- A captured table and an uncaptured, busy neighbour.
create table items (
    id    bigint primary key,
    name  text not null,
    price numeric(10, 2)
);

create table noise (
    id      bigserial primary key,
    payload text not null
);
