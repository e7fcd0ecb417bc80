create table notes (text text primary key);
insert into notes values ('first note');
