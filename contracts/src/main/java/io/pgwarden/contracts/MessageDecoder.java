package io.pgwarden.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.apache.kafka.common.header.Headers;

import java.io.IOException;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a Kafka record into a checked message: CloudEvents headers, a known type, a body that parses
 * strictly and passes the same Bean Validation rules as REST input. Anything else is an
 * {@link InvalidMessageException} whose message is the reason to put on the dead-letter topic.
 */
public final class MessageDecoder {
    private final Validator validator;

    public MessageDecoder(Validator validator) {
        this.validator = validator;
    }

    public Envelope<Object> decode(Headers headers, byte[] value) {
        MessageMetadata metadata = CloudEventsKafka.metadata(headers);
        MessageType type = MessageType.ofCeType(metadata.type()).orElseThrow(
                () -> new InvalidMessageException("unknown message type " + metadata.type(), metadata));
        Object body;
        try {
            body = Json.read(value, type.bodyClass());
        } catch (IOException e) {
            throw new InvalidMessageException("body of " + metadata.type() + " is invalid: " + describe(e), metadata);
        }
        Set<ConstraintViolation<Object>> violations = validator.validate(body);
        if (!violations.isEmpty()) {
            throw new InvalidMessageException("body of " + metadata.type() + " is invalid: " + violations.stream()
                    .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                    .map(v -> v.getPropertyPath() + " " + v.getMessage())
                    .collect(Collectors.joining("; ")), metadata);
        }
        return new Envelope<>(metadata, body);
    }

    /** A short reason for a JSON error, without Jackson's class names and source excerpts. */
    public static String describe(IOException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return "field '" + field + "': " + firstLine(m.getOriginalMessage());
        }
        if (e instanceof JsonProcessingException p) {
            return "malformed JSON: " + firstLine(p.getOriginalMessage());
        }
        return e.getMessage();
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
