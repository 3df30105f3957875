package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.command.Command;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an {@code Idempotency-Key} is compared by: the SHA-256 of the command's type and its canonical
 * JSON (fields sorted by name, no whitespace, absent and null fields alike), not of the request's bytes.
 * The command carries every path parameter and its type names the endpoint, so another path is another
 * hash; other whitespace, field order or an explicit {@code null} is the same request.
 */
public final class RequestHash {
    private RequestHash() {
    }

    public static String of(Command command) {
        String canonical = MessageType.of(command.getClass()).ceType() + "\n" + canonicalJson(command);
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The command as JSON with object fields in name order at every level. */
    static String canonicalJson(Command command) {
        return sorted(Json.MAPPER.valueToTree(command)).toString();
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getValue().isNull()) {
                    fields.put(field.getKey(), sorted(field.getValue()));
                }
            }
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            fields.forEach(result::set);
            return result;
        }
        if (node.isArray()) {
            ArrayNode result = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> result.add(sorted(element)));
            return result;
        }
        return node;
    }
}
