insert into notes values ('second note');
