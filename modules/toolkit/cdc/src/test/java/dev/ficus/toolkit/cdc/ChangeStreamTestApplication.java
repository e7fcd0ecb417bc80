package dev.ficus.toolkit.cdc;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** An application capturing {@code shelf.items}, recording every change it gets. */
@SpringBootApplication
class ChangeStreamTestApplication {

    @Bean
    Recorder recorder() {
        return new Recorder();
    }

    @Bean
    ChangeSubscription recording(Recorder recorder) {
        return new ChangeSubscription("recorder", Set.of("shelf.items"), recorder);
    }

    /** Records changes; fails on demand for the rows a test names "poison". */
    static class Recorder implements ChangeHandler {

        final List<ChangeEvent> changes = new CopyOnWriteArrayList<>();
        volatile Predicate<ChangeEvent> failing = change -> false;
        volatile int calls;

        @Override
        public void handle(ChangeEvent change) {
            calls++;
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
