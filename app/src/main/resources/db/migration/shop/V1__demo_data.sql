-- The application shell's own bookkeeping: when demo data was loaded (at most one row).
create table demo_data (
    loaded_at timestamptz not null
);
