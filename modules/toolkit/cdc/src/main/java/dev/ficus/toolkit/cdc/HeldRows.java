package dev.ficus.toolkit.cdc;

import java.util.HashMap;
import java.util.Map;

import dev.ficus.toolkit.cdc.JdbcDeadLetters.Hold;

/**
 * The rows (and tables) whose later changes wait behind a pending dead letter, per subscription:
 * the stream's memory of what it must not apply out of order. Only the stream's thread uses it.
 */
final class HeldRows {

    /** The dead letter a row or table waits behind, and its change's position in the log. */
    record Head(long deadLetter, long position) {
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

    /** The head this change of this subscription waits behind, or null if it may go ahead. */
    Head behind(String subscription, ChangeEvent change) {
        TableHolds table = holds.get(key(subscription, change.table()));
        if (table == null) {
            return null;
        }
        if (table.wholeTable != null) {
            return table.wholeTable;
        }
        return table.rows.get(JdbcDeadLetters.rowKey(change));
    }

    boolean holdsTable(String subscription, String table) {
        TableHolds holdsOfTable = holds.get(key(subscription, table));
        return holdsOfTable != null && holdsOfTable.wholeTable != null;
    }

    void hold(Hold hold, Head head) {
        TableHolds table = holds.computeIfAbsent(key(hold.subscription(), hold.table()), key -> new TableHolds());
        if (hold.wholeTable()) {
            if (table.wholeTable == null) {
                table.wholeTable = head;
            }
        }
        else {
            table.rows.putIfAbsent(hold.rowKey(), head);
        }
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
