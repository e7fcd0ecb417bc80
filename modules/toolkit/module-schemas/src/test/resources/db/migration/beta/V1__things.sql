create table things (name text primary key);
