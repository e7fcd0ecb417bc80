package dev.ficus.toolkit.cdc;

import java.util.HashMap;
import java.util.Map;

import dev.ficus.toolkit.cdc.JdbcDeadLetters.Hold;

/**
 * The rows (and tables) whose later changes wait behind a pending dead letter, per subscription:
 * the stream's memory of what it must not apply out of order. Only the stream's thread uses it.
 */
final class HeldRows {

    /**
     * The dead letter a row or table waits behind: the earliest pending one, by its change's
     * position in the log, and that change's fingerprint (to know it when it comes again).
     */
    record Head(long deadLetter, long position, String fingerprint) {
    }

    /** Per subscription and table: the head a whole table waits behind, and those of single rows. */
    private static final class TableHolds {
        Head wholeTable;
        final Map<String, Head> rows = new HashMap<>();

        boolean isEmpty() {
            return wholeTable == null && rows.isEmpty();
        }
    }

    private final Map<String, TableHolds> holds = new HashMap<>();

    void clear() {
        holds.clear();
    }

    /**
     * The head this change of this subscription waits behind, or null if it may go ahead: its row's
     * head, if the change is not earlier than it, else its table's, if not earlier than that.
     */
    Head behind(String subscription, ChangeEvent change) {
        TableHolds table = holds.get(key(subscription, change.table()));
        if (table == null) {
            return null;
        }
        if (!table.rows.isEmpty()) {
            Head row = table.rows.get(JdbcDeadLetters.rowKey(change));
            if (row != null && change.position() >= row.position()) {
                return row;
            }
        }
        Head whole = table.wholeTable;
        return whole != null && change.position() >= whole.position() ? whole : null;
    }

    boolean holdsTable(String subscription, String table) {
        TableHolds holdsOfTable = holds.get(key(subscription, table));
        return holdsOfTable != null && holdsOfTable.wholeTable != null;
    }

    /** A hold waits behind {@code head}, unless it already waits behind an earlier change. */
    void hold(Hold hold, Head head) {
        TableHolds table = holds.computeIfAbsent(key(hold.subscription(), hold.table()), key -> new TableHolds());
        if (hold.wholeTable()) {
            table.wholeTable = earlier(table.wholeTable, head);
        }
        else {
            table.rows.merge(hold.rowKey(), head, HeldRows::earlier);
        }
    }

    private static Head earlier(Head current, Head candidate) {
        return current == null || candidate.position() < current.position() ? candidate : current;
    }

    /** After a replay: the hold now waits behind {@code head}, or is released if null. */
    void moveHead(Hold hold, Head head) {
        String key = key(hold.subscription(), hold.table());
        TableHolds table = holds.get(key);
        if (table == null) {
            return;
        }
        if (hold.wholeTable()) {
            table.wholeTable = head;
            if (head == null) {
                table.rows.clear();
            }
        }
        else if (head == null) {
            table.rows.remove(hold.rowKey());
        }
        else {
            table.rows.put(hold.rowKey(), head);
        }
        if (table.isEmpty()) {
            holds.remove(key);
        }
    }

    private static String key(String subscription, String table) {
        return subscription + "\u0000" + table;
    }
}
