package dev.ficus.toolkit.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

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

    /** How often each cache read its source; and a hook that runs after a thing's name was read. */
    static final class Sources {

        private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
        volatile LongConsumer afterThingRead = id -> { };

        long calls(String cache) {
            return calls.computeIfAbsent(cache, name -> new AtomicLong()).get();
        }

        void called(String cache) {
            calls.computeIfAbsent(cache, name -> new AtomicLong()).incrementAndGet();
        }
    }

    @Bean
    Sources sources() {
        return new Sources();
    }

    /** Things are read with the value type given in code; things by code with the one configured, if any. */
    @Bean
    Depot depot(Caches caches, JdbcClient jdbc, Sources sources) {
        return new Depot(
                caches.cacheAside("things", Long.class, String.class, id -> {
                    sources.called("things");
                    Optional<String> name = jdbc.sql("select name from depot.things where id = ?").param(id)
                            .query(String.class).optional();
                    sources.afterThingRead.accept(id);
                    return name;
                }, limit -> {
                    sources.called("things-warm-up");
                    Map<Long, String> names = new LinkedHashMap<>();
                    jdbc.sql("select id, name from depot.things order by id limit ?").param(limit)
                            .query((row, number) -> names.put(row.getLong("id"), row.getString("name"))).list();
                    return names;
                }),
                caches.cacheAside("things-by-code", String.class, code -> {
                    sources.called("things-by-code");
                    return jdbc.sql("select name from depot.things where code = ?").param(code).query(String.class)
                            .optional();
                }),
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
