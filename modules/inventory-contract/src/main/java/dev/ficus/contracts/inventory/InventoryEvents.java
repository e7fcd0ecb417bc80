package dev.ficus.contracts.inventory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/**
 * The events the shop and inventory-service exchange over RabbitMQ, each type and version with a
 * JSON Schema (draft 2020-12, no property beyond those listed) and an example, under
 * {@code dev/ficus/contracts/inventory/events/<Type>.v<version>.schema.json}. Both sides check what
 * they produce against the schema and read the example into what they consume: a field renamed or
 * dropped on either side fails its build.
 */
public final class InventoryEvents {

    /** Every event type of the contract with its version, as {@code Type.vN}. */
    public static final List<String> TYPES = List.of("OrderPlaced.v1", "StockReserved.v1", "StockShortage.v1",
            "ReservationShadowed.v1", "RouteHandedOver.v1");

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private InventoryEvents() {
    }

    /** What is wrong with a JSON document as an event of this type and version; empty if nothing. */
    public static List<String> violations(String type, int version, String json) {
        Schema schema = SCHEMAS.getSchema(read(type, version, "schema"), InputFormat.JSON);
        return schema.validate(json, InputFormat.JSON).stream().map(Object::toString).toList();
    }

    /** The contract's example of an event of this type and version, as JSON. */
    public static String example(String type, int version) {
        return read(type, version, "example");
    }

    private static String read(String type, int version, String kind) {
        String name = "events/" + type + ".v" + version + "." + kind + ".json";
        try (InputStream in = InventoryEvents.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("The inventory contract has no " + kind + " of " + type + " v" + version);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
