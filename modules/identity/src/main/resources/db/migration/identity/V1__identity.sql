-- Who may use the shop, and the keys its tokens are signed with.

create table accounts (
    username      varchar(254) primary key,
    password_hash varchar(200) not null,
    roles         varchar(200) not null,   -- comma-separated: customer, catalog-admin, operator
    customer_id   uuid,                    -- the customer a customer account acts as
    created_at    timestamptz  not null default now(),
    check (roles <> '')
);

-- One row per key, the newest signs once published long enough; all are published until their
-- last token expired. The private key is kept here so that every instance signs with the same one.
create table signing_keys (
    kid        varchar(64) primary key,
    jwk        text        not null,
    created_at timestamptz not null default now()
);
