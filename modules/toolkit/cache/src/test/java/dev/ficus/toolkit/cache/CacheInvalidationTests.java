package dev.ficus.toolkit.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.cache.CacheTestApplication.Depot;
import dev.ficus.toolkit.cache.CacheTestApplication.PairKey;
import dev.ficus.toolkit.cdc.ChangeStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Writes that bypass the application (plain SQL) evict cached entries once they have streamed. */
@SpringBootTest(classes = CacheTestApplication.class)
class CacheInvalidationTests {

    private static final AtomicLong IDS = new AtomicLong();

    @Autowired
    Depot depot;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ChangeStream stream;

    @Autowired
    Freshness freshness;

    @Autowired
    MeterRegistry meters;

    /** Streaming, and the caches read from memory (not bypassed): what follows tests their evictions. */
    @BeforeEach
    void streaming() {
        await().atMost(Duration.ofSeconds(60)).until(() -> stream.state() == ChangeStream.State.STREAMING);
        await().atMost(Duration.ofSeconds(30)).until(freshness::current);
        assertThat(stream.tables()).contains("depot.things", "depot.pairs");
    }

    @Test
    void anUpdateInSqlIsReadFreshOnceItStreamed() {
        long id = insert("lamp");
        assertThat(depot.names().get(id)).contains("lamp");

        jdbc.sql("update depot.things set name = 'desk lamp' where id = ?").param(id).update();

        eventually(() -> depot.names().get(id), Optional.of("desk lamp"));
    }

    @Test
    void anInsertEndsACachedNotFound() {
        long id = IDS.incrementAndGet() + 1_000;
        assertThat(depot.names().get(id)).isEmpty();
        assertThat(depot.names().get(id)).as("cached absence").isEmpty();

        jdbc.sql("insert into depot.things values (?, ?, 'late arrival')").params(id, "C" + id).update();

        eventually(() -> depot.names().get(id), Optional.of("late arrival"));
    }

    @Test
    void changingANonKeyColumnEvictsTheOldAndTheNewKey() {
        long id = insert("kettle");
        String oldCode = "C" + id;
        String newCode = "N" + id;
        assertThat(depot.namesByCode().get(oldCode)).contains("kettle");

        jdbc.sql("update depot.things set code = ? where id = ?").params(newCode, id).update();

        eventually(() -> depot.namesByCode().get(oldCode), Optional.empty());
        assertThat(depot.namesByCode().get(newCode)).contains("kettle");
    }

    @Test
    void aDeleteEvicts() {
        long id = insert("doomed");
        assertThat(depot.names().get(id)).contains("doomed");

        jdbc.sql("delete from depot.things where id = ?").param(id).update();

        eventually(() -> depot.names().get(id), Optional.empty());
    }

    @Test
    void compositeKeysAreBuiltFromTheirColumns() {
        jdbc.sql("insert into depot.pairs values (1, 2, 'first')").update();
        assertThat(depot.labels().get(new PairKey(1, 2))).contains("first");

        jdbc.sql("update depot.pairs set label = 'second' where left_id = 1 and right_id = 2").update();

        eventually(() -> depot.labels().get(new PairKey(1, 2)), Optional.of("second"));
    }

    @Test
    void aTruncateEmptiesTheCache() {
        jdbc.sql("insert into depot.pairs values (7, 7, 'kept?') on conflict do nothing").update();
        assertThat(depot.labels().get(new PairKey(7, 7))).contains("kept?");

        jdbc.sql("truncate depot.pairs").update();

        eventually(() -> depot.labels().get(new PairKey(7, 7)), Optional.empty());
    }

    /** A note on a part of a thing: the thing's cached count is evicted through the key query. */
    @Test
    void aChangeOfAChildRowEvictsTheParentItBelongsTo() {
        long thing = insert("bicycle");
        long part = thing * 10;
        jdbc.sql("insert into depot.parts values (?, ?, 'wheel')").params(part, thing).update();
        eventually(() -> depot.notesOfThing().get(thing), Optional.of(0L));

        jdbc.sql("insert into depot.part_notes values (?, ?, 'spokes loose')").params(part * 10, part).update();
        eventually(() -> depot.notesOfThing().get(thing), Optional.of(1L));

        jdbc.sql("update depot.part_notes set note = 'fixed' where id = ?").param(part * 10).update();
        jdbc.sql("delete from depot.part_notes where id = ?").param(part * 10).update();
        eventually(() -> depot.notesOfThing().get(thing), Optional.of(0L));
    }

    /**
     * A key query that cannot run empties its cache instead of stopping the stream: the change is
     * still seen, and every other cache goes on being evicted key by key.
     */
    @Test
    void aKeyQueryThatFailsEmptiesItsCacheAndTheStreamGoesOn() {
        long thing = insert("scooter");
        jdbc.sql("insert into depot.parts values (?, ?, 'deck')").params(thing * 10, thing).update();
        eventually(() -> depot.notesOfThingMisconfigured().get(thing), Optional.of(0L));
        double failures = meters.counter("ficus.cache.key-query.failures", "cache", "thing-notes-misconfigured").count();

        jdbc.sql("insert into depot.part_notes values (?, ?, 'wobbles')").params(thing * 100, thing * 10).update();

        eventually(() -> depot.notesOfThingMisconfigured().get(thing), Optional.of(1L));
        assertThat(meters.counter("ficus.cache.key-query.failures", "cache", "thing-notes-misconfigured").count())
                .isGreaterThan(failures);
        assertThat(depot.notesOfThing().get(thing)).contains(1L);
        jdbc.sql("update depot.things set name = 'kick scooter' where id = ?").param(thing).update();
        eventually(() -> depot.names().get(thing), Optional.of("kick scooter"));
        assertThat(stream.state()).isEqualTo(ChangeStream.State.STREAMING);
    }

    /** A part moving to another thing: the parts table's own invalidation evicts both things. */
    @Test
    void aChildMovingToAnotherParentEvictsBoth() {
        long from = insert("tandem");
        long to = insert("tricycle");
        jdbc.sql("insert into depot.parts values (?, ?, 'bell')").params(from * 10, from).update();
        jdbc.sql("insert into depot.part_notes values (?, ?, 'rings')").params(from * 100, from * 10).update();
        eventually(() -> depot.notesOfThing().get(from), Optional.of(1L));
        eventually(() -> depot.notesOfThing().get(to), Optional.of(0L));

        jdbc.sql("update depot.parts set thing_id = ? where id = ?").params(to, from * 10).update();

        eventually(() -> depot.notesOfThing().get(from), Optional.of(0L));
        eventually(() -> depot.notesOfThing().get(to), Optional.of(1L));
    }

    private long insert(String name) {
        long id = IDS.incrementAndGet();
        jdbc.sql("insert into depot.things values (?, ?, ?)").params(id, "C" + id, name).update();
        return id;
    }

    private static <T> void eventually(Supplier<T> read, T expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(read::get, expected::equals);
    }
}
