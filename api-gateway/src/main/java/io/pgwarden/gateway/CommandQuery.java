package io.pgwarden.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * A page of {@code GET /api/v1/commands}: newest first, filtered by what the command is about (its subject, a node or
 * {@code namespace/name}) and its state, after a cursor. The cursor names the last row's position in the order the
 * gateway stored the commands, not an offset: rows stored meanwhile do not shift the next page.
 *
 * @param subjects the subjects wanted (cluster and/or node; a command naming either matches); empty for all
 * @param after    the position the previous page ended at; null for the first page
 */
public record CommandQuery(List<String> subjects, String state, Long after, int limit) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    /** SUBMITTED and each {@link CommandState} (a unit test keeps them in step); constants for the annotations. */
    static final String STATE_PATTERN = "^(SUBMITTED|ACCEPTED|RUNNING|SUCCEEDED|FAILED|REJECTED)$";
    static final String STATE_MESSAGE = "must be SUBMITTED, ACCEPTED, RUNNING, SUCCEEDED, FAILED or REJECTED";
    private static final String CURSOR_PREFIX = "commands:";

    /**
     * From the request's parameters, already checked for form (patterns).
     *
     * @throws IllegalArgumentException for a cursor that is not one of ours
     */
    public static CommandQuery of(String cluster, String node, String state, String limit, String cursor) {
        List<String> subjects = Stream.of(cluster, node).filter(s -> s != null).toList();
        return new CommandQuery(subjects, state, cursor == null ? null : position(cursor),
                limit == null ? DEFAULT_LIMIT : Integer.parseInt(limit));
    }

    /** The cursor of the page after one that ended at this position. */
    public static String cursor(long position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + position).getBytes(StandardCharsets.UTF_8));
    }

    private static long position(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith(CURSOR_PREFIX)) {
                long position = Long.parseLong(text.substring(CURSOR_PREFIX.length()));
                if (position > 0) {
                    return position;
                }
            }
        } catch (IllegalArgumentException e) {
            // not base64 or not a number: the same answer as any other foreign cursor
        }
        throw new IllegalArgumentException("is not a cursor of this list: send nextCursor back as it came");
    }
}
