package dev.ficus.toolkit.messaging;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** The outbox as a table: one row per event, inserted through the transaction's own connection. */
final class JdbcOutbox implements Outbox {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final String table;
    private final MessagingAutoConfiguration.OutboxTraceContext traceContext;

    /** @param traceContext adds the current trace context to an event's headers; may add nothing */
    JdbcOutbox(JdbcClient jdbc, JsonMapper json, String schema, MessagingAutoConfiguration.OutboxTraceContext traceContext) {
        this.jdbc = jdbc;
        this.json = json;
        this.table = schema + ".outbox";
        this.traceContext = traceContext;
    }

    @Override
    public UUID publish(String type, int version, String key, Object payload, Map<String, String> headers) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("An event goes into the outbox within the transaction that caused it; "
                    + "publish " + type + " inside a @Transactional method");
        }
        if (!type.matches("[A-Za-z][A-Za-z0-9_-]{0,99}")) {
            throw new IllegalArgumentException("An event type is a word of letters, digits, _ and -, not '" + type + "'");
        }
        UUID id = UUID.randomUUID();
        Map<String, String> carried = new LinkedHashMap<>(headers);
        traceContext.addTo().accept(carried);
        jdbc.sql("insert into " + table + " (id, type, version, partition_key, payload, headers) "
                        + "values (?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb))")
                .params(id, type, version, key, json.writeValueAsString(payload), json.writeValueAsString(carried))
                .update();
        return id;
    }
}
