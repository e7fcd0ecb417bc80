create table things (name text primary key);
insert into things values ('delta thing');
