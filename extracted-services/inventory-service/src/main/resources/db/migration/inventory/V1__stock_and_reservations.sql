-- The shop's inventory tables as they are: replication copies them here, row for row, until the
-- service takes them over.
create table stock (
    sku      varchar(40) primary key,
    on_hand  integer not null check (on_hand >= 0),
    reserved integer not null check (reserved >= 0 and reserved <= on_hand),
    version  bigint  not null
);

create table reservations (
    reference    uuid primary key,
    outcome      varchar(20) not null,
    missing_skus text,
    decided_at   timestamptz not null,
    version      bigint      not null
);
