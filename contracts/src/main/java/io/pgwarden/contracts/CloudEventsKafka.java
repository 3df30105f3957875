package io.pgwarden.contracts;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * CloudEvents 1.0 Kafka protocol binding, binary content mode: attributes in {@code ce_*} headers,
 * the body as JSON in the record value.
 */
public final class CloudEventsKafka {
    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE_JSON = "application/json";

    public static final String H_SPECVERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_SOURCE = "ce_source";
    public static final String H_TYPE = "ce_type";
    public static final String H_TIME = "ce_time";
    public static final String H_SUBJECT = "ce_subject";
    /** Extension attribute: the command or incident this message belongs to. */
    public static final String H_CORRELATION_ID = "ce_correlationid";
    /** Extension attribute of a command: the time after which it must not be acted on (RFC 3339). */
    public static final String H_EXPIRES_AT = "ce_expiresat";
    /** Extension attribute of a command: who asked for it (the gateway's caller, by its token's subject). */
    public static final String H_REQUESTED_BY = "ce_requestedby";
    public static final String H_CONTENT_TYPE = "content-type";

    private CloudEventsKafka() {
    }

    public static Headers headers(MessageMetadata m) {
        RecordHeaders headers = new RecordHeaders();
        put(headers, H_SPECVERSION, SPEC_VERSION);
        put(headers, H_ID, m.id());
        put(headers, H_SOURCE, m.source());
        put(headers, H_TYPE, m.type());
        put(headers, H_TIME, m.time().toString());
        put(headers, H_SUBJECT, m.subject());
        put(headers, H_CORRELATION_ID, m.correlationId());
        put(headers, H_EXPIRES_AT, m.expiresAt() == null ? null : m.expiresAt().toString());
        put(headers, H_REQUESTED_BY, m.requestedBy());
        put(headers, H_CONTENT_TYPE, CONTENT_TYPE_JSON);
        return headers;
    }

    /** Reads and checks the required attributes; the exception says which one is missing or wrong. */
    public static MessageMetadata metadata(Headers headers) {
        String spec = header(headers, H_SPECVERSION).orElse(null);
        String id = header(headers, H_ID).filter(s -> !s.isBlank()).orElse(null);
        String source = header(headers, H_SOURCE).filter(s -> !s.isBlank()).orElse(null);
        String type = header(headers, H_TYPE).filter(s -> !s.isBlank()).orElse(null);
        String subject = header(headers, H_SUBJECT).orElse(null);
        String correlation = header(headers, H_CORRELATION_ID).orElse(id);
        if (!SPEC_VERSION.equals(spec)) {
            throw invalid("header " + H_SPECVERSION + " must be " + SPEC_VERSION + ", was " + spec, id, type);
        }
        if (id == null || source == null || type == null) {
            throw invalid("missing required CloudEvents header(s): "
                    + (id == null ? H_ID + " " : "") + (source == null ? H_SOURCE + " " : "")
                    + (type == null ? H_TYPE : ""), id, type);
        }
        String contentType = header(headers, H_CONTENT_TYPE).orElse(CONTENT_TYPE_JSON);
        if (!contentType.startsWith(CONTENT_TYPE_JSON)) {
            throw invalid("content-type must be " + CONTENT_TYPE_JSON + ", was " + contentType, id, type);
        }
        Instant time = time(headers, H_TIME, id, type);
        if (time == null) {
            throw invalid("missing required CloudEvents header " + H_TIME, id, type);
        }
        return new MessageMetadata(id, source, type, time, subject, correlation, time(headers, H_EXPIRES_AT, id, type),
                header(headers, H_REQUESTED_BY).filter(s -> !s.isBlank()).orElse(null));
    }

    private static Instant time(Headers headers, String name, String id, String type) {
        try {
            return header(headers, name).map(Instant::parse).orElse(null);
        } catch (DateTimeParseException e) {
            throw invalid("header " + name + " is not an RFC 3339 time: " + e.getParsedString(), id, type);
        }
    }

    public static Optional<String> header(Headers headers, String name) {
        Header h = headers == null ? null : headers.lastHeader(name);
        return h == null || h.value() == null
                ? Optional.empty()
                : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static InvalidMessageException invalid(String reason, String id, String type) {
        MessageMetadata partial = id == null ? null
                : new MessageMetadata(id, "unknown", type == null ? "unknown" : type, Instant.EPOCH, null, id);
        return new InvalidMessageException(reason, partial);
    }

    private static void put(Headers headers, String name, String value) {
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
