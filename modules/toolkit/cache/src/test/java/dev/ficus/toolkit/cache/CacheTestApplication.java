package dev.ficus.toolkit.cache;

import java.util.Optional;


import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Reads {@code depot} rows through caches that change data capture keeps correct. */
@SpringBootApplication
class CacheTestApplication {

    record PairKey(int left, int right) {
    }

    record Depot(CacheAside<Long, String> names, CacheAside<String, String> namesByCode,
            CacheAside<PairKey, String> labels, CacheAside<Long, Long> notesOfThing,
            CacheAside<Long, Long> notesOfThingMisconfigured, CacheAside<String, String> settings) {
    }

    @Bean
    Depot depot(Caches caches, JdbcClient jdbc) {
        return new Depot(
                caches.cacheAside("things", Long.class, id -> jdbc.sql("select name from depot.things where id = ?")
                        .param(id).query(String.class).optional()),
                caches.cacheAside("things-by-code", String.class, code -> jdbc
                        .sql("select name from depot.things where code = ?").param(code).query(String.class).optional()),
                caches.cacheAside("pairs", PairKey.class, key -> jdbc
                        .sql("select label from depot.pairs where left_id = ? and right_id = ?")
                        .params(key.left(), key.right()).query(String.class).optional()),
                caches.cacheAside("thing-notes", Long.class, thing -> notesOf(jdbc, thing)),
                caches.cacheAside("thing-notes-misconfigured", Long.class, thing -> notesOf(jdbc, thing)),
                caches.cacheAside("settings", String.class, name -> jdbc
                        .sql("select value from depot.settings where name = ?").param(name).query(String.class)
                        .optional()));
    }

    private static Optional<Long> notesOf(JdbcClient jdbc, long thing) {
        return jdbc.sql("""
                select count(*) from depot.part_notes n join depot.parts p on p.id = n.part_id
                where p.thing_id = ?""").param(thing).query(Long.class).optional();
    }
}
