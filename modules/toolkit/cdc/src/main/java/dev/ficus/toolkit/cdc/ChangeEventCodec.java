package dev.ficus.toolkit.cdc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A change as JSON that reads back exactly as it was written: every value other than a string or
 * a boolean is tagged with its type ({@code {"int64": "42"}}, {@code {"bytes": "AP8="}},
 * {@code {"timestamp": "2024-01-02T03:04:05.123456"}}), so a replayed dead letter carries a
 * {@code Long} as a {@code Long} and bytes as bytes, not whatever plain JSON would make of them.
 */
final class ChangeEventCodec {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ChangeEventCodec() {
    }

    static String write(ChangeEvent change) {
        ObjectNode node = JSON.createObjectNode();
        node.put("table", change.table());
        node.put("operation", change.operation().name());
        node.set("key", row(change.key()));
        node.set("before", row(change.before()));
        node.set("after", row(change.after()));
        node.put("position", change.position());
        node.put("transaction", change.transaction());
        node.put("committedAt", change.committedAt().toString());
        return JSON.writeValueAsString(node);
    }

    /** A row (or key) alone, in the same encoding: equal rows give equal text. */
    static String writeRow(Map<String, Object> row) {
        return JSON.writeValueAsString(row(row));
    }

    static ChangeEvent read(String json) {
        JsonNode node = JSON.readTree(json);
        return new ChangeEvent(node.get("table").asString(),
                ChangeEvent.Operation.valueOf(node.get("operation").asString()),
                readRow(node.get("key")),
                readRow(node.get("before")),
                readRow(node.get("after")),
                node.get("position").asLong(),
                node.get("transaction").asLong(),
                Instant.parse(node.get("committedAt").asString()));
    }

    private static JsonNode row(Map<String, Object> row) {
        if (row == null) {
            return JSON.getNodeFactory().nullNode();
        }
        ObjectNode node = JSON.createObjectNode();
        row.forEach((column, value) -> node.set(column, value(value)));
        return node;
    }

    /** The tag under which a value of each plain type is written, as its text. */
    private static final Map<Class<?>, String> TAGS = Map.ofEntries(
            Map.entry(Byte.class, "int8"),
            Map.entry(Short.class, "int16"),
            Map.entry(Integer.class, "int32"),
            Map.entry(Long.class, "int64"),
            Map.entry(BigInteger.class, "integer"),
            Map.entry(Float.class, "float32"),
            Map.entry(Double.class, "float64"),
            Map.entry(BigDecimal.class, "decimal"),
            Map.entry(LocalDate.class, "date"),
            Map.entry(LocalTime.class, "time"),
            Map.entry(LocalDateTime.class, "timestamp"),
            Map.entry(Instant.class, "instant"),
            Map.entry(OffsetTime.class, "timetz"));

    private static JsonNode value(Object value) {
        if (value == null) {
            return JSON.getNodeFactory().nullNode();
        }
        if (value instanceof String text) {
            return JSON.getNodeFactory().stringNode(text);
        }
        if (value instanceof Boolean bool) {
            return JSON.getNodeFactory().booleanNode(bool);
        }
        ObjectNode tagged = JSON.createObjectNode();
        if (value instanceof byte[] bytes) {
            tagged.put("bytes", Base64.getEncoder().encodeToString(bytes));
        }
        else if (value instanceof List<?> list) {
            ArrayNode elements = JSON.createArrayNode();
            list.forEach(element -> elements.add(value(element)));
            tagged.set("list", elements);
        }
        else if (value instanceof Map<?, ?> map) {
            ObjectNode nested = JSON.createObjectNode();
            map.forEach((column, element) -> nested.set(String.valueOf(column), value(element)));
            tagged.set("row", nested);
        }
        else {
            // Anything else is nothing the change stream produces; kept as its text rather than
            // failing to store a dead letter.
            tagged.put(TAGS.getOrDefault(value.getClass(), "text"), value.toString());
        }
        return tagged;
    }

    private static Map<String, Object> readRow(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        node.properties().forEach(entry -> row.put(entry.getKey(), readValue(entry.getValue())));
        return row;
    }

    private static Object readValue(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (node.isString()) {
            return node.asString();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(element -> list.add(readValue(element)));
            return list;
        }
        if (node.size() != 1) {
            return readRow(node);
        }
        Map.Entry<String, JsonNode> tag = node.properties().iterator().next();
        JsonNode value = tag.getValue();
        return switch (tag.getKey()) {
            case "int8" -> Byte.valueOf(value.asString());
            case "int16" -> Short.valueOf(value.asString());
            case "int32" -> Integer.valueOf(value.asString());
            case "int64" -> Long.valueOf(value.asString());
            case "integer" -> new BigInteger(value.asString());
            case "float32" -> Float.valueOf(value.asString());
            case "float64" -> Double.valueOf(value.asString());
            case "decimal" -> new BigDecimal(value.asString());
            case "bytes" -> Base64.getDecoder().decode(value.asString());
            case "date" -> LocalDate.parse(value.asString());
            case "time" -> LocalTime.parse(value.asString());
            case "timestamp" -> LocalDateTime.parse(value.asString());
            case "instant" -> Instant.parse(value.asString());
            case "timetz" -> OffsetTime.parse(value.asString());
            case "list" -> {
                List<Object> list = new ArrayList<>();
                value.forEach(element -> list.add(readValue(element)));
                yield list;
            }
            case "row" -> readRow(value);
            case "text" -> value.asString();
            // Written before values were tagged: a nested row as plain JSON.
            default -> readRow(node);
        };
    }
}
