package dev.ficus.toolkit.cdc;

import java.util.HashMap;
import java.util.Map;

import dev.ficus.toolkit.cdc.JdbcDeadLetters.Hold;

/**
 * The rows (and tables) whose later changes wait behind a pending dead letter, per subscription:
 * the stream's memory of what it must not apply out of order. Only the stream's thread uses it.
 */
final class HeldRows {

    /** Per subscription and table: the dead letter a whole table waits behind, and those of single rows. */
    private static final class TableHolds {
        Long wholeTable;
        final Map<String, Long> rows = new HashMap<>();

        boolean isEmpty() {
            return wholeTable == null && rows.isEmpty();
        }
    }

    private final Map<String, TableHolds> holds = new HashMap<>();

    void clear() {
        holds.clear();
    }

    /** The dead letter this change of this subscription waits behind, or null if it may go ahead. */
    Long behind(String subscription, ChangeEvent change) {
        TableHolds table = holds.get(subscription + "\u0000" + change.table());
        if (table == null) {
            return null;
        }
        if (table.wholeTable != null) {
            return table.wholeTable;
        }
        return table.rows.get(JdbcDeadLetters.rowKey(change));
    }

    boolean holdsTable(String subscription, String table) {
        TableHolds holdsOfTable = holds.get(subscription + "\u0000" + table);
        return holdsOfTable != null && holdsOfTable.wholeTable != null;
    }

    void hold(Hold hold, long deadLetter) {
        TableHolds table = holds.computeIfAbsent(hold.subscription() + "\u0000" + hold.table(), key -> new TableHolds());
        if (hold.wholeTable()) {
            if (table.wholeTable == null) {
                table.wholeTable = deadLetter;
            }
        }
        else {
            table.rows.putIfAbsent(hold.rowKey(), deadLetter);
        }
    }

    /** After a replay: the hold now waits behind {@code head}, or is released if null. */
    void moveHead(Hold hold, Long head) {
        String key = hold.subscription() + "\u0000" + hold.table();
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

    int size() {
        return holds.values().stream().mapToInt(table -> table.rows.size() + (table.wholeTable == null ? 0 : 1)).sum();
    }
}
