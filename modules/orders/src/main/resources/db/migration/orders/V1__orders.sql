create table orders (
    id            uuid primary key,
    customer_id   uuid           not null,
    status        varchar(20)    not null,
    status_reason varchar(1000),
    total         numeric(14, 2) not null,
    currency      varchar(3)     not null,
    placed_at     timestamptz    not null,
    updated_at    timestamptz    not null,
    version       bigint         not null
);

create index orders_customer on orders (customer_id, placed_at);

create table order_lines (
    order_id     uuid           not null references orders (id) on delete cascade,
    line_no      integer        not null,
    sku          varchar(40)    not null,
    product_name varchar(200)   not null,
    quantity     integer        not null check (quantity > 0),
    unit_price   numeric(12, 2) not null,
    primary key (order_id, line_no)
);
