insert into things values ('beta thing'), ('another beta thing');
