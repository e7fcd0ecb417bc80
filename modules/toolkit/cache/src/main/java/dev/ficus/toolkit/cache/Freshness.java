package dev.ficus.toolkit.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How current this instance's caches are known to be: as of the latest position the streaming
 * instance announced on the eviction channel, provided every message of that instance since this
 * one started listening arrived. Messages are numbered: a gap, or another instance taking over the
 * stream, means evictions may be missing, and the caches are emptied. Caches invalidated by change
 * data capture are only read while what is known is younger than {@code max-staleness}.
 */
final class Freshness {

    /** What a message tells about the state of the caches. */
    enum Heard {
        /** The next message of the same streaming instance. */
        IN_ORDER,
        /** The first message since listening started: caches were emptied then. */
        FIRST,
        /** A message is missing: some evictions may be lost. */
        GAP,
        /** Another instance streams now. */
        NEW_LEADER
    }

    private final Duration maxStaleness;
    private final Clock clock;
    private String leader;
    private long sequence;
    private volatile Instant asOf;

    Freshness(Duration maxStaleness, Clock clock) {
        this.maxStaleness = maxStaleness;
        this.clock = clock;
    }

    Duration maxStaleness() {
        return maxStaleness;
    }

    /** Listening (again): nothing heard before counts, the caches were emptied. */
    synchronized void restart() {
        leader = null;
        asOf = null;
    }

    /**
     * A message of the streaming instance {@code from}: what it tells about the caches. After a
     * gap or a new leader nothing is known until {@link #currentAsOf}.
     */
    synchronized Heard heard(String from, long number) {
        Heard heard;
        if (leader == null) {
            heard = Heard.FIRST;
        }
        else if (!leader.equals(from)) {
            heard = Heard.NEW_LEADER;
        }
        else {
            heard = number == sequence + 1 ? Heard.IN_ORDER : Heard.GAP;
        }
        leader = from;
        sequence = number;
        if (heard == Heard.GAP || heard == Heard.NEW_LEADER) {
            // Only what comes after the emptying counts.
            asOf = null;
        }
        return heard;
    }

    /**
     * The caches now hold every eviction of changes committed before {@code current}: called once
     * a message's evictions (and any emptying it called for) are done.
     */
    void currentAsOf(Instant current) {
        asOf = current;
    }

    /** How old what this instance knows is: now, minus the commit time of the latest position heard. */
    Optional<Duration> age() {
        Instant known = asOf;
        return known == null ? Optional.empty() : Optional.of(Duration.between(known, clock.instant()));
    }

    /** Whether caches invalidated by change data capture may be read. */
    boolean current() {
        Instant known = asOf;
        return known != null && !clock.instant().minus(maxStaleness).isAfter(known);
    }
}
