-- The replicated copy of shop.items: some columns renamed, one left out.
create table items (
    id         bigint primary key,
    title      text           not null,
    price      numeric(10, 2) not null,
    changed_at timestamptz    not null,
    version    bigint         not null
);

create unique index items_title on items (title);
