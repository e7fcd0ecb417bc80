package dev.ficus.toolkit.messaging;

import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An event as a consumer receives it.
 *
 * @param id       the message id: the same event delivered twice has the same one
 * @param type     what happened
 * @param version  the version of the type's contract
 * @param key      what it is about; events of one key arrive in order
 * @param payload  the event as JSON
 * @param headers  the message's headers: the publisher's own (a route, a trace context), and the
 *                 position of the transaction that wrote the event ({@code ficus-position})
 */
public record ReceivedEvent(UUID id, String type, int version, String key, JsonNode payload,
        Map<String, Object> headers) {

    /** A header as text, if present. */
    public String header(String name) {
        Object value = headers.get(name);
        return value == null ? null : value.toString();
    }

    /** The payload as a Java type. */
    public <T> T payload(Class<T> type, JsonMapper json) {
        return json.treeToValue(payload, type);
    }
}
