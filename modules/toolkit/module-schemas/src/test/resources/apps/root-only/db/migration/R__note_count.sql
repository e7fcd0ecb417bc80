create or replace view note_count as select count(*) as notes from notes;
