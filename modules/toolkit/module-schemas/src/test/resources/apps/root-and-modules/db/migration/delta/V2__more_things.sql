insert into things values ('another delta thing');
