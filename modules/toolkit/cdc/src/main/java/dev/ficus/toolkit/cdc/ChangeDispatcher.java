package dev.ficus.toolkit.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ficus.toolkit.cdc.ChangeEvents.Boundary;
import dev.ficus.toolkit.cdc.ChangeHandler.Failure;
import dev.ficus.toolkit.cdc.DeadLetters.DeadLetter;
import dev.ficus.toolkit.cdc.JdbcDeadLetters.Hold;

/**
 * Hands each change to the subscribers of its table in commit order, ends their batches only where
 * a source transaction ends, and confirms a position to Debezium only once every subscriber
 * finished the batch up to it or dead-lettered what it could not take.
 *
 * <p>A batch may span several of Debezium's: a transaction of 50,000 rows reaches the subscribers
 * as one batch, and nothing of it is confirmed until its end. A change is never skipped silently:
 * it is handled, dead-lettered (after retries), or the stream halts on it and delivers it again
 * after its restart.
 *
 * <p>When a subscriber's {@code endOfBatch} fails for a reason other than one that halts, the
 * batch is delivered to it again change by change to find the change it cannot take; the batch is
 * kept in memory for that up to {@code isolationLimit} changes. A larger batch is read again from
 * the log after a restart, change by change.
 *
 * <p>Dead-letter replays run here too, between batches, on the stream's thread.
 */
class ChangeDispatcher {

    private static final Logger log = LoggerFactory.getLogger(ChangeDispatcher.class);

    private final String stream;
    private final String heartbeatTable;
    private final List<ChangeSubscription> subscriptions;
    private final Map<String, ChangeSubscription> subscriptionsByName;
    private final Map<String, List<ChangeSubscription>> subscriptionsByTable;
    private final ChangeStreamProperties.Retry retry;
    private final int isolationLimit;
    private final JdbcDeadLetters deadLetters;
    private final MeterRegistry meters;
    private final Timer lag;
    private final Counter isolations;
    private final AtomicReference<Duration> lastLag = new AtomicReference<>();
    private final HeldRows held = new HeldRows();

    /** The changes of the current batch each subscriber took, while there are few enough to keep. */
    private final Map<ChangeSubscription, List<ChangeEvent>> batch = new LinkedHashMap<>();
    private int batchSize;
    private boolean batchKept = true;
    private final Set<Long> batchTransactions = new HashSet<>();
    /** Transactions to hand to a subscriber change by change: a batch of them failed and was too large to keep. */
    private final Map<String, Set<Long>> isolating = new HashMap<>();
    private boolean inTransaction;
    /**
     * One batch at a time, across runs of the connector: Debezium does not wait for the previous
     * run's polling thread to leave before a new run starts.
     */
    private final ReentrantLock handling = new ReentrantLock();
    /** Which run of the connector may hand over batches: an earlier run's late batch is refused. */
    private long run;

    /** Whether this instance still leads the run: nothing is handed over or confirmed once it does not. */
    private BooleanSupplier leading = () -> true;
    private volatile Instant currentAsOf;
    private volatile Instant lastProgress = Instant.EPOCH;
    /** When the stream last showed it moves: a run started, a batch came, a change or batch was handled. */
    private volatile long lastActivity = System.nanoTime();

    ChangeDispatcher(ChangeStreamProperties properties, List<ChangeSubscription> subscriptions,
            JdbcDeadLetters deadLetters, MeterRegistry meters) {
        this.stream = properties.name();
        this.heartbeatTable = properties.schema() + ".heartbeat";
        this.subscriptions = List.copyOf(subscriptions);
        this.subscriptionsByName = subscriptions.stream()
                .collect(Collectors.toMap(ChangeSubscription::name, Function.identity()));
        this.subscriptionsByTable = subscriptions.stream()
                .flatMap(subscription -> subscription.tables().stream().map(table -> Map.entry(table, subscription)))
                .collect(Collectors.groupingBy(Map.Entry::getKey,
                        Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
        this.retry = properties.retry();
        this.isolationLimit = properties.isolationLimit();
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.lag = Timer.builder("ficus.cdc.lag")
                .description("From a change's commit in PostgreSQL until every subscriber handled it")
                .tag("stream", stream)
                .publishPercentileHistogram()
                .register(meters);
        this.isolations = Counter.builder("ficus.cdc.isolations")
                .description("Batches a subscriber failed on, delivered again change by change to find the one it cannot take")
                .tag("stream", stream)
                .register(meters);
    }

    Set<String> subscribedTables() {
        return subscriptionsByTable.keySet();
    }

    Duration lastLag() {
        return lastLag.get();
    }

    /** Every change committed before this instant was handled or dead-lettered; empty before the first batch. */
    Optional<Instant> currentAsOf() {
        return Optional.ofNullable(currentAsOf);
    }

    /** When a batch was last finished and its position confirmed. */
    Instant lastProgress() {
        return lastProgress;
    }

    /** How long ago the stream last showed it moves; heartbeats keep this short while nothing changes. */
    Duration sinceActivity() {
        return Duration.ofNanos(System.nanoTime() - lastActivity);
    }

    /**
     * Starts a run of the connector: what was not confirmed comes again from the last confirmed
     * position, and the holds are read afresh (another instance may have streamed meanwhile).
     * Returns what takes this run's batches; batches of earlier runs are refused from now on, and so
     * are this run's once {@code leading} turns false. Every subscriber learns the run's
     * {@code term} first (see {@link ChangeHandler#leading}).
     */
    DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> startRun(String term, BooleanSupplier leading)
            throws Exception {
        handling.lock();
        try {
            long thisRun = ++run;
            this.leading = leading;
            lastActivity = System.nanoTime();
            for (ChangeSubscription subscription : subscriptions) {
                subscription.handler().leading(term);
            }
            abandonBatch();
            inTransaction = false;
            held.clear();
            for (Hold hold : deadLetters.holds()) {
                deadLetters.head(hold).ifPresent(head -> held.hold(hold, head));
            }
            return (records, committer) -> handleBatch(thisRun, records, committer);
        }
        finally {
            handling.unlock();
        }
    }

    /**
     * Ends the current run: once this returns, no batch of it is being handled or will be, so the
     * stream may let another instance take over.
     */
    void endRun() {
        handling.lock();
        try {
            run++;
            abandonBatch();
        }
        finally {
            handling.unlock();
        }
    }

    /** Forgets the batch in progress, here and in every subscriber: it comes again from the last confirmed position. */
    private void abandonBatch() {
        batch.clear();
        batchSize = 0;
        batchKept = true;
        batchTransactions.clear();
        for (ChangeSubscription subscription : subscriptions) {
            try {
                subscription.handler().abandonBatch();
            }
            catch (RuntimeException e) {
                log.warn("{} could not abandon its batch", subscription.name(), e);
            }
        }
    }

    private void handleBatch(long fromRun, List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        handling.lockInterruptibly();
        try {
            if (fromRun != run) {
                throw new StreamHalted("A batch of a run of the stream that has ended: it comes again in the next run",
                        null);
            }
            requireLead();
            lastActivity = System.nanoTime();
            handle(records, committer);
        }
        catch (RuntimeException | Error e) {
            // Nothing after the last confirmed position counts: subscribers drop what they hold of it.
            inTransaction = false;
            abandonBatch();
            throw e;
        }
        finally {
            handling.unlock();
        }
    }

    private void handle(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        if (!inTransaction) {
            replayRequested();
        }
        // The last record after which no transaction is open: the batch can end there.
        int end = -1;
        int lastCommit = -1;
        boolean open = inTransaction;
        for (int i = 0; i < records.size(); i++) {
            Boundary boundary = ChangeEvents.boundary(records.get(i).record());
            if (boundary == Boundary.BEGIN) {
                open = true;
            }
            else if (boundary == Boundary.END) {
                open = false;
                lastCommit = i;
            }
            if (!open) {
                end = i;
            }
        }
        for (int i = 0; i < records.size(); i++) {
            // Before every change: a leader that lost its lease (paused in a slow subscriber, say) stops here.
            requireLead();
            SourceRecord record = records.get(i).record();
            ChangeEvents.from(record)
                    .filter(change -> !change.table().equals(heartbeatTable))
                    .ifPresent(this::dispatch);
            lastActivity = System.nanoTime();
            if (i == end) {
                requireLead();
                finishBatch();
                requireLead();
                // Only now is this part done: a crash before this line delivers all of it again. One
                // position, the last: offsets are last-wins, and no position inside a transaction
                // may ever be saved, not even by a flush that runs while this loop would be halfway.
                committer.markProcessed(records.get(end));
                committer.markBatchFinished();
                if (lastCommit >= 0 && lastCommit <= end) {
                    // A commit's time, not a snapshot's read time: everything committed before it is done.
                    ChangeEvents.committedAt(records.get(lastCommit).record()).ifPresent(this::advance);
                }
                lastProgress = Instant.now();
                lastActivity = System.nanoTime();
            }
        }
        inTransaction = open;
    }

    /** Another instance may lead now: hand nothing more over, confirm nothing. */
    private void requireLead() {
        if (!leading.getAsBoolean()) {
            throw new StreamHalted("This instance's lease on the stream ran out: another instance may lead now", null);
        }
    }

    private void advance(Instant committed) {
        Instant current = currentAsOf;
        if (current == null || committed.isAfter(current)) {
            currentAsOf = committed;
        }
    }

    private void dispatch(ChangeEvent change) {
        batchTransactions.add(change.transaction());
        // Counted as it is handed over, while this instance leads: a subscriber call that outlasts
        // the lease (one stuck on a database cut off) is not counted as work done later.
        meters.counter("ficus.cdc.events", "stream", stream, "table", change.table(),
                "operation", change.operation().name()).increment();
        for (ChangeSubscription subscription : subscriptionsByTable.getOrDefault(change.table(), List.of())) {
            // While a batch of this subscriber is being taken apart, it gets every change alone: a
            // change it buffered before could otherwise be dropped with a single change that fails.
            if (!isolating.getOrDefault(subscription.name(), Set.of()).isEmpty()) {
                deliverAlone(subscription, change);
            }
            else {
                deliver(subscription, change);
            }
        }
        Duration sinceCommit = Duration.between(change.committedAt(), Instant.now());
        lag.record(sinceCommit);
        lastLag.set(sinceCommit);
    }

    /** Hands a change over within the batch: {@code endOfBatch} comes later. */
    private void deliver(ChangeSubscription subscription, ChangeEvent change) {
        deliver(subscription, change, false);
    }

    /** Hands a change over as a batch of its own: {@code handle}, then {@code endOfBatch}. */
    private void deliverAlone(ChangeSubscription subscription, ChangeEvent change) {
        deliver(subscription, change, true);
    }

    private void deliver(ChangeSubscription subscription, ChangeEvent change, boolean alone) {
        if (subscription.handler().skips(change) || waits(subscription, change)) {
            return;
        }
        Counter retries = retries(subscription);
        for (int attempt = 1; ; attempt++) {
            try {
                subscription.handler().handle(change);
                if (alone) {
                    subscription.handler().endOfBatch();
                }
                else {
                    keep(subscription, change);
                }
                return;
            }
            catch (Exception e) {
                if (attempt >= retry.maxAttempts()) {
                    giveUp(subscription, change, e, attempt);
                    return;
                }
                retries.increment();
                log.warn("{} failed on {} {} at {}{} (attempt {}): {}", subscription.name(), change.operation(),
                        change.table(), change.position(), alone ? " alone" : "", attempt, e.toString());
                pause(retry.backoffAfter(attempt));
            }
        }
    }

    /**
     * A later change of a row (or table) that waits behind a dead letter joins it there, untried.
     * An earlier one (a batch taken apart again) goes ahead; the dead-lettered change itself, come
     * again after a restart, is dead-lettered already.
     */
    private boolean waits(ChangeSubscription subscription, ChangeEvent change) {
        HeldRows.Head head = held.behind(subscription.name(), change);
        if (head == null) {
            return false;
        }
        if (change.position() == head.position() && JdbcDeadLetters.fingerprint(change).equals(head.fingerprint())) {
            return true;
        }
        boolean wholeTable = held.holdsTable(subscription.name(), change.table());
        requireLead();
        deadLetters.store(subscription.name(), change, "Waits behind dead letter " + head.deadLetter()
                + ": a row's changes are applied in order", 0, wholeTable, head.deadLetter());
        meters.counter("ficus.cdc.held", "stream", stream, "subscription", subscription.name()).increment();
        return true;
    }

    private void giveUp(ChangeSubscription subscription, ChangeEvent change, Exception error, int attempts) {
        Failure failure = subscription.handler().onFailure(change, error);
        if (failure == Failure.HALT) {
            throw new StreamHalted(subscription.name() + " cannot take " + change.operation() + " " + change.table()
                    + " " + change.key() + " at " + change.position() + "; the stream stops here and tries again: "
                    + error.getMessage(), error);
        }
        // A change with no row to speak of (a truncate, a table without a key) holds back its whole table.
        boolean wholeTable = failure == Failure.DEAD_LETTER_TABLE || change.key() == null || change.key().isEmpty();
        requireLead();
        long id = deadLetters.store(subscription.name(), change, JdbcDeadLetters.describe(error), attempts, wholeTable,
                null);
        held.hold(new Hold(subscription.name(), change.table(), JdbcDeadLetters.rowKey(change), wholeTable),
                new HeldRows.Head(id, change.position(), JdbcDeadLetters.fingerprint(change)));
        log.error("{} failed {} times on {} {} {} at {}; dead letter {}{}", subscription.name(), attempts,
                change.operation(), change.table(), change.key(), change.position(), id,
                wholeTable ? ", and the table's later changes wait behind it" : "", error);
    }

    private void keep(ChangeSubscription subscription, ChangeEvent change) {
        if (!batchKept) {
            return;
        }
        if (++batchSize > isolationLimit) {
            batchKept = false;
            batch.clear();
            return;
        }
        batch.computeIfAbsent(subscription, key -> new ArrayList<>()).add(change);
    }

    /** Ends the batch for every subscriber; a failure is retried, isolated or halts the stream. */
    private void finishBatch() {
        try {
            for (ChangeSubscription subscription : subscriptions) {
                try {
                    subscription.handler().endOfBatch();
                }
                catch (Exception e) {
                    recover(subscription, e);
                }
            }
        }
        finally {
            batch.clear();
            batchSize = 0;
            batchKept = true;
        }
        // The transactions of this batch ended: none of them needs to be taken apart any more.
        isolating.values().forEach(transactions -> transactions.removeAll(batchTransactions));
        isolating.values().removeIf(Set::isEmpty);
        batchTransactions.clear();
    }

    private void recover(ChangeSubscription subscription, Exception error) {
        List<ChangeEvent> changes = batch.getOrDefault(subscription, List.of());
        Exception last = error;
        for (int attempt = 1; ; attempt++) {
            if (subscription.handler().onFailure(null, last) != Failure.HALT) {
                if (!batchKept) {
                    isolating.computeIfAbsent(subscription.name(), key -> new HashSet<>()).addAll(batchTransactions);
                    throw new StreamHalted(subscription.name() + " could not finish a batch of more than "
                            + isolationLimit + " changes; it is read again and delivered change by change: "
                            + last.getMessage(), last);
                }
                isolations.increment();
                log.warn("{} could not finish a batch of {} changes; delivering them one by one: {}",
                        subscription.name(), changes.size(), last.toString());
                changes.forEach(change -> deliverAlone(subscription, change));
                return;
            }
            if (!batchKept || attempt >= retry.maxAttempts()) {
                throw new StreamHalted(subscription.name() + " could not finish a batch; the stream stops here and "
                        + "tries again: " + last.getMessage(), last);
            }
            retries(subscription).increment();
            pause(retry.backoffAfter(attempt));
            try {
                for (ChangeEvent change : changes) {
                    subscription.handler().handle(change);
                }
                subscription.handler().endOfBatch();
                return;
            }
            catch (Exception again) {
                last = again;
            }
        }
    }

    /**
     * Replays the dead letters someone asked for, with the ones waiting behind them, in order. Runs
     * between batches, when no subscriber holds anything of one.
     */
    private void replayRequested() {
        if (!deadLetters.mayHaveRequests()) {
            return;
        }
        Set<Hold> done = new LinkedHashSet<>();
        for (DeadLetter requested : deadLetters.requested()) {
            Hold hold = deadLetters.holdOf(requested.id());
            if (held.holdsTable(hold.subscription(), hold.table())) {
                hold = new Hold(hold.subscription(), hold.table(), null, true);
            }
            if (!done.add(hold)) {
                continue;
            }
            requireLead();
            ChangeSubscription subscription = subscriptionsByName.get(hold.subscription());
            List<DeadLetter> line = deadLetters.line(hold);
            if (subscription == null) {
                line.forEach(letter -> deadLetters.markNotReplayed(letter.id(),
                        "No subscription " + letter.subscription() + " in this application to replay it to"));
                continue;
            }
            DeadLetter failed = replayLine(subscription, line);
            held.moveHead(hold, failed == null ? null : new HeldRows.Head(failed.id(), failed.change().position(),
                    JdbcDeadLetters.fingerprint(failed.change())));
        }
    }

    /**
     * Replays a line of dead letters in order until one fails; returns that one (the line's new
     * head, behind which the rest keeps waiting, no longer asked for), or null if all went through.
     */
    private DeadLetter replayLine(ChangeSubscription subscription, List<DeadLetter> line) {
        for (int i = 0; i < line.size(); i++) {
            DeadLetter letter = line.get(i);
            try {
                if (!subscription.handler().skips(letter.change())) {
                    subscription.handler().handle(letter.change());
                    subscription.handler().endOfBatch();
                }
            }
            catch (Exception e) {
                subscription.handler().abandonBatch();
                deadLetters.markFailed(letter.id(), JdbcDeadLetters.describe(e));
                line.subList(i + 1, line.size()).forEach(behind -> deadLetters.withdrawRequest(behind.id()));
                log.warn("Replaying dead letter {} to {} failed again: {}", letter.id(), subscription.name(), e.toString());
                return letter;
            }
            deadLetters.markReplayed(letter.id());
            log.info("Replayed dead letter {} to {}", letter.id(), subscription.name());
        }
        return null;
    }

    private Counter retries(ChangeSubscription subscription) {
        return meters.counter("ficus.cdc.retries", "stream", stream, "subscription", subscription.name());
    }

    private static void pause(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        }
        catch (InterruptedException e) {
            // The stream is stopping: leave this change unconfirmed so it is delivered again.
            Thread.currentThread().interrupt();
            throw new StreamHalted("Stopped while retrying a change", e);
        }
    }

    /** The stream stops at a change it could neither hand over nor dead-letter; it is delivered again after the restart. */
    static final class StreamHalted extends RuntimeException {

        StreamHalted(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
