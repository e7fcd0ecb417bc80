package dev.ficus.toolkit.replication;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;


import dev.ficus.toolkit.replication.Replicas.Databases;

import static dev.ficus.toolkit.replication.Replicas.PATIENCE;
import static dev.ficus.toolkit.replication.Replicas.replication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every common column type replicates exactly: inserted, updated, deleted and NULL, compared
 * column by column as each database renders its own values, not through the toolkit.
 */
class TypeZooTests {

    /**
     * Each column, as both databases render it. A timestamptz renders in the session's zone, so
     * both in UTC; a timetz arrives in UTC (logical decoding sends it so), so it is compared in UTC.
     */
    private static final List<String> COLUMNS = List.of("small", "whole", "big", "exact", "free", "single", "twice",
            "yes", "words", "short", "raw", "ident", "day", "t0", "t6", "(ttz at time zone 'UTC')", "ts0", "ts3",
            "ts6", "(tstz at time zone 'UTC')", "span", "doc", "plain", "tags", "numbers", "feeling", "address", "novel", "code", "flag", "flags", "bc_day",
            "(bc_time at time zone 'UTC')", "far");

    private static Databases databases;
    private static JdbcClient shop;
    private static JdbcClient copy;
    private static ConfigurableApplicationContext replica;

    @BeforeAll
    static void start() {
        databases = Databases.create("zoo");
        shop = databases.shop();
        copy = databases.copy();
        shop.sql("""
                create schema shop;
                create type shop.mood as enum ('sad', 'ok', 'happy');
                create table shop.zoo (
                    id integer primary key, small smallint, whole integer, big bigint, exact numeric(12, 3),
                    free numeric, single real, twice double precision, yes boolean, words text, short varchar(20),
                    raw bytea, ident uuid, day date, t0 time(0), t6 time(6), ttz timetz, ts0 timestamp(0),
                    ts3 timestamp(3), ts6 timestamp(6), tstz timestamptz, span interval, doc jsonb, plain json,
                    tags text[], numbers integer[], feeling shop.mood, address inet, novel text, code char(3),
                    flag bit(1), flags bit(4), bc_day date, bc_time timestamptz, far timestamp);
                """).update();
        replica = databases.replicate("zoo",
                "ficus.replication.tables[0].source=shop.zoo",
                "ficus.replication.tables[0].target=copy.zoo");
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        databases.close();
    }

    @Test
    void everyColumnTypeArrivesExactlyThroughInsertsUpdatesAndDeletes() {
        shop.sql("""
                insert into shop.zoo values (1, -32768, 2147483647, -9223372036854775808, 12345678.901,
                    123456789012345678901234567890.123456789012345678901, 3.4028235e38, 0.1, true,
                    'Grüße, 東京 😀 ''quoted'' "double" \\ back', 'ünïcödé 😀', '\\x00ff10', gen_random_uuid(),
                    '2024-02-29', '23:59:59', '12:34:56.123456', '12:34:56.789+02', '2024-01-02 03:04:05',
                    '2024-01-02 03:04:05.123', '1999-12-31 23:59:59.999999', '2024-01-02 03:04:05.123456+05:30',
                    '1 year 2 mons -3 days 04:05:06.000007', '{"b": [1, "ü"], "a": null}', '{"b":  2,  "a": 1}',
                    '{"a b", "c\\"d", NULL, "é😀", "{x}"}', '{1, NULL, -3}', 'happy', '192.168.0.1/24',
                    (select string_agg(md5(g::text || random()::text), '') from generate_series(1, 600) g),
                    'ab', B'1', B'0110', '0044-03-15 BC', '0044-03-15 10:00:00+02 BC', '10000-01-01 12:00:00');
                insert into shop.zoo (id) values (2);
                insert into shop.zoo values (3, 1, 2, 3, 4.5, 6.7, -0.0, 1e-300, false, '', '', '\\x', gen_random_uuid(),
                    '0001-01-01', '00:00:00', '00:00:00.000001', '00:00:00-11', '1970-01-01 00:00:00',
                    '1970-01-01 00:00:00.001', '1970-01-01 00:00:00.000001', '1970-01-01 00:00:00+00',
                    '-1 years -2 mons +3 days -04:05:06.5', '[]', '[ ]', '{}', '{}', 'sad', '::1', 'short',
                    'xyz', B'0', B'1000', '4713-01-01 BC', '12345-06-07 08:09:10+00', '99999-12-31 23:59:59.999999');
                insert into shop.zoo (id, day, ts0, ts6, tstz, far) values (4, 'infinity', '-infinity', 'infinity', '-infinity', 'infinity');
                """).update();
        awaitSame();

        // An update of other columns leaves the (TOASTed, unsent) novel as it was.
        shop.sql("update shop.zoo set small = 7, twice = 2.5e-10, tags = array['x', NULL], doc = '{\"z\": 1}' "
                + "where id = 1").update();
        shop.sql("update shop.zoo set words = 'now filled', day = '2000-02-29', span = '0', flags = B'0001', "
                + "code = 'q' where id = 2").update();
        shop.sql("delete from shop.zoo where id = 3").update();
        awaitSame();

        assertThat(copy.sql("select length(novel) from copy.zoo where id = 1").query(Integer.class).single())
                .isEqualTo(19_200);
        assertThat(copy.sql("select count(*) from copy.zoo").query(Long.class).single()).isEqualTo(3);
        assertThat(replication(replica).reconcile(false).mismatches()).isZero();
    }

    /** Waits until each column of each row renders the same on both sides. */
    private static void awaitSame() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(ids(copy)).isEqualTo(ids(shop));
            for (String column : COLUMNS) {
                assertThat(rendered(copy, "copy", column)).as(column).isEqualTo(rendered(shop, "shop", column));
            }
        });
    }

    private static List<Integer> ids(JdbcClient database) {
        return database.sql("select id from " + (database == shop ? "shop" : "copy") + ".zoo order by id")
                .query(Integer.class).list();
    }

    private static List<String> rendered(JdbcClient database, String schema, String column) {
        return database.sql("select coalesce(" + column + "::text, '<null>') from " + schema
                + ".zoo order by id").query(String.class).list();
    }
}
