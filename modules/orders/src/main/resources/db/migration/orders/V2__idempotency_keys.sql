-- A client's Idempotency-Key per customer, the request it came with (SHA-256 of the customer and
-- the lines) and the order it placed: a repeated request gets that order, not a second one.
create table idempotency_keys (
    customer_id     uuid         not null,
    idempotency_key varchar(255) not null,
    fingerprint     char(64)     not null,
    order_id        uuid         not null references orders (id) on delete cascade deferrable initially deferred,
    created_at      timestamptz  not null,
    primary key (customer_id, idempotency_key)
);
