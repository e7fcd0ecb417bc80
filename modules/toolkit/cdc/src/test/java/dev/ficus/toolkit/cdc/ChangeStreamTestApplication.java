package dev.ficus.toolkit.cdc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An application capturing {@code shelf.items}, recording every change it gets, and
 * {@code shelf.crates}, recording whole batches.
 */
@SpringBootApplication
class ChangeStreamTestApplication {

    /** The position stream {@code ficus} saved, as the text Debezium stored; empty if none yet. */
    static String savedPosition(JdbcClient jdbc) {
        return jdbc.sql("select coalesce(string_agg(convert_from(value, 'UTF8'), ', '), '') from cdc.offsets "
                + "where stream = 'ficus'").query(String.class).single();
    }

    @Bean
    Recorder recorder() {
        return new Recorder();
    }

    @Bean
    ChangeSubscription recording(Recorder recorder) {
        return new ChangeSubscription("recorder", Set.of("shelf.items"), recorder);
    }

    @Bean
    BatchRecorder batchRecorder() {
        return new BatchRecorder();
    }

    @Bean
    ChangeSubscription batchRecording(BatchRecorder recorder) {
        return new ChangeSubscription("batches", Set.of("shelf.crates"), recorder);
    }

    /**
     * Buffers changes and records them as one batch at its end, as a subscriber that writes
     * elsewhere would; the whole batch fails if it holds a change the test calls poison. It also
     * notes whether it was ever called by two threads at once.
     */
    static class BatchRecorder implements ChangeHandler {

        final List<List<ChangeEvent>> batches = new CopyOnWriteArrayList<>();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger failedBatches = new AtomicInteger();
        /** What a new recorder starts with: for a test whose stream starts as its application does. */
        static volatile Predicate<ChangeEvent> failingAtStart = change -> false;
        static volatile Failure onFailureAtStart = Failure.DEAD_LETTER;
        volatile Predicate<ChangeEvent> failing = failingAtStart;
        volatile Failure onFailure = onFailureAtStart;
        private final AtomicInteger inside = new AtomicInteger();
        private final List<ChangeEvent> buffer = new ArrayList<>();

        @Override
        public void handle(ChangeEvent change) {
            enter();
            try {
                buffer.add(change);
            }
            finally {
                inside.decrementAndGet();
            }
        }

        @Override
        public void endOfBatch() {
            enter();
            try {
                List<ChangeEvent> batch = List.copyOf(buffer);
                buffer.clear();
                if (batch.stream().anyMatch(failing)) {
                    failedBatches.incrementAndGet();
                    throw new IllegalStateException("refusing a batch of " + batch.size() + " with a poison in it");
                }
                if (!batch.isEmpty()) {
                    batches.add(batch);
                }
            }
            finally {
                inside.decrementAndGet();
            }
        }

        @Override
        public Failure onFailure(ChangeEvent change, Exception error) {
            return onFailure;
        }

        private void enter() {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
        }

        /** Every change of this crate, in the order its batches were recorded. */
        List<ChangeEvent> of(long id) {
            return batches.stream().flatMap(List::stream)
                    .filter(change -> Long.valueOf(id).equals(((Number) change.row().get("id")).longValue()))
                    .toList();
        }

        /** The recorded batches that hold a change of this crate. */
        List<List<ChangeEvent>> batchesWith(long id) {
            return batches.stream().filter(batch -> batch.stream()
                    .anyMatch(change -> Long.valueOf(id).equals(((Number) change.row().get("id")).longValue())))
                    .toList();
        }
    }

    /** Records changes; fails on demand for the rows a test names "poison". */
    static class Recorder implements ChangeHandler {

        final List<ChangeEvent> changes = new CopyOnWriteArrayList<>();
        volatile Predicate<ChangeEvent> failing = change -> false;
        /** Changes the handler hangs on, as a subscriber stuck on a socket would, until released. */
        volatile Predicate<ChangeEvent> hanging = change -> false;
        final CountDownLatch released = new CountDownLatch(1);
        volatile int calls;

        @Override
        public void handle(ChangeEvent change) throws InterruptedException {
            calls++;
            if (hanging.test(change)) {
                released.await();
            }
            if (failing.test(change)) {
                throw new IllegalStateException("refusing " + change.row());
            }
            changes.add(change);
        }

        List<ChangeEvent> of(long id) {
            return changes.stream().filter(change -> Long.valueOf(id).equals(change.row() == null ? null
                    : ((Number) change.row().get("id")).longValue())).toList();
        }
    }
}
