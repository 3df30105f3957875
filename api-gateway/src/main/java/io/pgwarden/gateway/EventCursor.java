package io.pgwarden.gateway;

import io.pgwarden.contracts.Topics;
import org.apache.kafka.common.TopicPartition;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where a client of {@code /api/v1/events} stands: the next offset of every topic-partition of the stream. Sent as
 * each event's {@code id} and taken back as {@code Last-Event-ID} or {@code ?since=}, so a client resumes exactly
 * after the last event it got, whichever partitions moved meanwhile. Opaque to clients; written
 * {@code a0_12.a1_7.h0_40} (topic letter, partition, next offset), URL-safe without escaping.
 */
public record EventCursor(Map<TopicPartition, Long> next) {
    private static final Map<String, String> LETTERS = Map.of(
            Topics.ACTIVITY, "a", Topics.NODE_HEALTH, "h", Topics.COMMAND_STATUS, "c");
    private static final Map<String, String> TOPICS = LETTERS.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));
    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);
    /** Far more than the stream's partitions (3 topics of 3 each); a longer cursor is not one of ours. */
    private static final int MAX_LENGTH = 2048;

    public EventCursor {
        TreeMap<TopicPartition, Long> sorted = new TreeMap<>(ORDER);
        sorted.putAll(next);
        next = Collections.unmodifiableMap(sorted);
    }

    /** The topics the stream carries. */
    public static boolean streamed(String topic) {
        return LETTERS.containsKey(topic);
    }

    /** The next offset to read of a partition; null when the cursor does not name it. */
    public Long next(TopicPartition partition) {
        return next.get(partition);
    }

    public String encode() {
        return next.entrySet().stream()
                .map(e -> LETTERS.get(e.getKey().topic()) + e.getKey().partition() + "_" + e.getValue())
                .collect(Collectors.joining("."));
    }

    /**
     * Reads a cursor this gateway (or another replica) wrote.
     *
     * @throws IllegalArgumentException saying what is wrong, for a 400
     */
    public static EventCursor parse(String text) {
        if (text == null || text.isBlank() || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("is not a cursor of this stream: send an event's id back as it came");
        }
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        for (String part : text.split("\\.", -1)) {
            int underscore = part.indexOf('_');
            String topic = part.isEmpty() ? null : TOPICS.get(part.substring(0, 1));
            if (topic == null || underscore < 2) {
                throw new IllegalArgumentException("is not a cursor of this stream: send an event's id back as it came");
            }
            try {
                int partition = Integer.parseInt(part.substring(1, underscore));
                long offset = Long.parseLong(part.substring(underscore + 1));
                if (partition < 0 || offset < 0
                        || next.put(new TopicPartition(topic, partition), offset) != null) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("is not a cursor of this stream: send an event's id back as it came");
            }
        }
        return new EventCursor(next);
    }
}
