-- Copies of the source tables other tests replicate.

-- Every common column type (and an enum of the copy's own), for exactness.
create type mood as enum ('sad', 'ok', 'happy');

create table zoo (
    id       integer primary key,
    small    smallint,
    whole    integer,
    big      bigint,
    exact    numeric(12, 3),
    free     numeric,
    single   real,
    twice    double precision,
    yes      boolean,
    words    text,
    short    varchar(20),
    raw      bytea,
    ident    uuid,
    day      date,
    t0       time(0),
    t6       time(6),
    ttz      timetz,
    ts0      timestamp(0),
    ts3      timestamp(3),
    ts6      timestamp(6),
    tstz     timestamptz,
    span     interval,
    doc      jsonb,
    plain    json,
    tags     text[],
    numbers  integer[],
    feeling  mood,
    address  inet,
    novel    text,
    code     char(3),
    flag     bit(1),
    flags    bit(4),
    bc_day   date,
    bc_time  timestamptz,
    far      timestamp
);

-- A constraint the source lacks: a change can be rejected here.
create table ledger (
    id     bigint primary key,
    amount numeric(10, 2) not null check (amount >= 0)
);

-- Columns the source renames and drops while it is replicated.
create table shelves (
    id    bigint primary key,
    label text not null,
    width integer,
    note  text
);

-- Many rows in one source transaction.
create table bulk (
    id    bigint primary key,
    label text not null
);
