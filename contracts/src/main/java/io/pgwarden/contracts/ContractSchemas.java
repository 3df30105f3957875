package io.pgwarden.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The published JSON Schemas of the message bodies, to check what is really sent against them. */
public final class ContractSchemas {
    private static final Map<MessageType, JsonSchema> SCHEMAS = new EnumMap<>(MessageType.class);

    static {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        for (MessageType type : MessageType.values()) {
            try (InputStream in = ContractSchemas.class.getResourceAsStream(type.schemaResource())) {
                if (in == null) {
                    throw new IllegalStateException("no JSON Schema for " + type + " at " + type.schemaResource());
                }
                SCHEMAS.put(type, factory.getSchema(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private ContractSchemas() {
    }

    /** The schema violations of a body of the given type; empty when it conforms. */
    public static List<String> violations(MessageType type, byte[] body) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        return SCHEMAS.get(type).validate(json).stream().map(ValidationMessage::getMessage).sorted().toList();
    }
}
