package dev.ficus.toolkit.messaging;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ids of the messages each consumer acted on ({@code <schema>.inbox}), written in the
 * transaction of the action itself: a message delivered again finds its id and is skipped, and
 * one whose action rolled back left no id behind.
 */
final class Inbox {

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final String table;

    Inbox(JdbcClient jdbc, TransactionTemplate transactions, String schema) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.table = schema + ".inbox";
    }

    /** Runs the handler unless the consumer acted on this message before; says whether it ran. */
    boolean receive(String consumer, ReceivedEvent event, EventHandler handler) throws Exception {
        try {
            return Boolean.TRUE.equals(transactions.execute(status -> {
                int first = jdbc.sql("insert into " + table + " (consumer, message_id) values (?, ?) on conflict do nothing")
                        .params(consumer, event.id())
                        .update();
                if (first == 0) {
                    return false;
                }
                try {
                    handler.handle(event);
                }
                catch (RuntimeException e) {
                    throw e;
                }
                catch (Exception e) {
                    throw new HandlerFailed(e);
                }
                return true;
            }));
        }
        catch (HandlerFailed e) {
            throw (Exception) e.getCause();
        }
    }

    /** Carries a handler's checked exception out of the transaction, which it rolls back. */
    private static final class HandlerFailed extends RuntimeException {

        HandlerFailed(Exception cause) {
            super(cause);
        }
    }
}
