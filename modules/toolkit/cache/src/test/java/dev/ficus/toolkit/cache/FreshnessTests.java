package dev.ficus.toolkit.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.ficus.toolkit.cache.Freshness.Heard;

import static org.assertj.core.api.Assertions.assertThat;

class FreshnessTests {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-27T12:00:00Z"));
    private final Freshness freshness = new Freshness(Duration.ofSeconds(5), new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    });

    @Test
    void nothingIsKnownUntilTheStreamingInstanceSaysHowCurrentItIs() {
        assertThat(freshness.current()).isFalse();
        assertThat(freshness.age()).isEmpty();

        assertThat(freshness.heard("leader", 7)).isEqualTo(Heard.FIRST);
        assertThat(freshness.current()).as("evictions, but no position yet").isFalse();

        assertThat(freshness.heard("leader", 8)).isEqualTo(Heard.IN_ORDER);
        assertThat(freshness.current()).as("not before the message's evictions are done").isFalse();
        freshness.currentAsOf(now.get().minusSeconds(1));
        assertThat(freshness.current()).isTrue();
        assertThat(freshness.age()).contains(Duration.ofSeconds(1));
    }

    @Test
    void whatIsKnownAgesUntilItIsOlderThanTheBound() {
        heard("leader", 1);
        now.set(now.get().plusSeconds(5));
        assertThat(freshness.current()).isTrue();
        now.set(now.get().plusMillis(1));
        assertThat(freshness.current()).isFalse();
        assertThat(freshness.age()).contains(Duration.ofMillis(5_001));

        heard("leader", 2);
        assertThat(freshness.current()).isTrue();
    }

    @Test
    void aMissingMessageOrAnotherLeaderStartsAfresh() {
        heard("leader", 1);
        assertThat(freshness.heard("leader", 3)).isEqualTo(Heard.GAP);
        assertThat(freshness.current()).as("after a gap nothing is known").isFalse();
        assertThat(heard("leader", 4)).isEqualTo(Heard.IN_ORDER);
        assertThat(heard("leader", 4)).as("the same number twice").isEqualTo(Heard.GAP);
        assertThat(freshness.heard("successor", 1)).isEqualTo(Heard.NEW_LEADER);
        assertThat(freshness.current()).isFalse();
        freshness.currentAsOf(now.get());
        assertThat(freshness.current()).isTrue();
        assertThat(heard("successor", 2)).isEqualTo(Heard.IN_ORDER);
    }

    @Test
    void listeningAgainForgetsEverything() {
        heard("leader", 1);
        freshness.restart();
        assertThat(freshness.current()).isFalse();
        assertThat(freshness.heard("leader", 2)).isEqualTo(Heard.FIRST);
    }

    /** A message with the stream's position now, as the listener takes it in. */
    private Heard heard(String from, long number) {
        Heard heard = freshness.heard(from, number);
        freshness.currentAsOf(now.get());
        return heard;
    }
}
