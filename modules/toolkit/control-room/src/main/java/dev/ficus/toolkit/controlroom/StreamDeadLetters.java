package dev.ficus.toolkit.controlroom;

import java.util.List;

import dev.ficus.toolkit.cdc.DeadLetters;

/**
 * The dead letters of the monolith's own change stream, as the page shows them; a bean only where
 * the application has a change stream, so that the page needs no change data capture.
 */
final class StreamDeadLetters {

    private final DeadLetters deadLetters;

    StreamDeadLetters(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    long pending() {
        return deadLetters.pendingCount();
    }

    List<ModuleView.DeadLetter> oldest(int limit) {
        return deadLetters.pending(limit).stream()
                .map(letter -> new ModuleView.DeadLetter(letter.id(), letter.change().table(), letter.error(),
                        letter.failedAt()))
                .toList();
    }

    /** Replays them all; what it did, in words. */
    String replayAll() {
        DeadLetters.Replay replay = deadLetters.replayAll();
        return "Change stream's dead letters: " + replay.replayed() + " replayed, " + replay.failed().size()
                + " failed again, " + replay.pending() + " pending";
    }
}
