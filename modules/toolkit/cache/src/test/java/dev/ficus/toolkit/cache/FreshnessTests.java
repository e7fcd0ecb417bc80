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

        assertThat(freshness.heard("leader", 7, null)).isEqualTo(Heard.FIRST);
        assertThat(freshness.current()).as("evictions, but no position yet").isFalse();

        assertThat(freshness.heard("leader", 8, now.get().minusSeconds(1))).isEqualTo(Heard.IN_ORDER);
        assertThat(freshness.current()).isTrue();
        assertThat(freshness.age()).contains(Duration.ofSeconds(1));
    }

    @Test
    void whatIsKnownAgesUntilItIsOlderThanTheBound() {
        freshness.heard("leader", 1, now.get());
        now.set(now.get().plusSeconds(5));
        assertThat(freshness.current()).isTrue();
        now.set(now.get().plusMillis(1));
        assertThat(freshness.current()).isFalse();
        assertThat(freshness.age()).contains(Duration.ofMillis(5_001));

        freshness.heard("leader", 2, now.get());
        assertThat(freshness.current()).isTrue();
    }

    @Test
    void aMissingMessageOrAnotherLeaderStartsAfresh() {
        freshness.heard("leader", 1, now.get());
        assertThat(freshness.heard("leader", 3, null)).isEqualTo(Heard.GAP);
        assertThat(freshness.current()).as("a gap without a position: not known").isFalse();
        assertThat(freshness.heard("leader", 4, now.get())).isEqualTo(Heard.IN_ORDER);
        assertThat(freshness.heard("leader", 4, now.get())).as("the same number twice").isEqualTo(Heard.GAP);
        assertThat(freshness.heard("successor", 1, now.get())).isEqualTo(Heard.NEW_LEADER);
        assertThat(freshness.current()).isTrue();
        assertThat(freshness.heard("successor", 2, now.get())).isEqualTo(Heard.IN_ORDER);
    }

    @Test
    void listeningAgainForgetsEverything() {
        freshness.heard("leader", 1, now.get());
        freshness.restart();
        assertThat(freshness.current()).isFalse();
        assertThat(freshness.heard("leader", 2, now.get())).isEqualTo(Heard.FIRST);
    }
}
