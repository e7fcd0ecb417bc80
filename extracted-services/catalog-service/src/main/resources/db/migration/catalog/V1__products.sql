-- The shop's catalog.products, except that a price is stored as price and currency.
create table products (
    id          uuid primary key,
    sku         varchar(40)    not null,
    name        varchar(200)   not null,
    description varchar(4000),
    price       numeric(12, 2) not null check (price >= 0),
    currency    varchar(3)     not null,
    category    varchar(60)    not null,
    active      boolean        not null,
    created_at  timestamptz    not null,
    updated_at  timestamptz    not null,
    version     bigint         not null
);

create unique index products_sku on products (sku);
create index products_category on products (category, sku);
