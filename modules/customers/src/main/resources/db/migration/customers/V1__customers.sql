create table customers (
    id         uuid primary key,
    email      varchar(254) not null,
    name       varchar(200) not null,
    phone      varchar(30),
    created_at timestamptz  not null,
    updated_at timestamptz  not null,
    version    bigint       not null
);

create unique index customers_email on customers (email);
