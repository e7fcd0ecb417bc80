insert into owners (id, name, city) values (1, 'George Franklin', 'Madison');
insert into owners (id, name, city) values (2, 'Betty Davis', 'Sun Prairie');
insert into pets (id, name, owner_id) values (1, 'Leo', 1);
insert into pets (id, name, owner_id) values (2, 'Basil', 2);
insert into pets (id, name, owner_id) values (3, 'Rosy', 2);
insert into visits (id, pet_id, visit_date, description) values (1, 1, '2026-01-02', 'rabies shot');
insert into visits (id, pet_id, visit_date, description) values (2, 3, '2026-02-03', 'neutered');
