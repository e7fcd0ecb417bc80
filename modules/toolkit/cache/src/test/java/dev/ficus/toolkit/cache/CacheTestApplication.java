package dev.ficus.toolkit.cache;


import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Reads {@code depot} rows through caches that change data capture keeps correct. */
@SpringBootApplication
class CacheTestApplication {

    record PairKey(int left, int right) {
    }

    record Depot(CacheAside<Long, String> names, CacheAside<String, String> namesByCode,
            CacheAside<PairKey, String> labels) {
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
                        .params(key.left(), key.right()).query(String.class).optional()));
    }

}
