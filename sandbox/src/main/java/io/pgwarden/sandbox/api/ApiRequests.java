package io.pgwarden.sandbox.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What tests may ask of the API server beyond the API: the log of every write it answered (to count a
 * service's Kubernetes writes), and slow answers, as an overloaded API server or a lossy network gives:
 * the write takes effect at once and its answer comes late, so a client that gives up or dies meanwhile
 * does not know its outcome.
 */
public final class ApiRequests {

    /** A write the API server answered. */
    public record Write(String method, String path, int code, String userAgent) {
        /** Written by the sandbox's own controllers or kubelets, not by a client under test. */
        public boolean byControlPlane() {
            return ApiServer.CONTROL_PLANE_USER_AGENT.equals(userAgent);
        }
    }

    private record SlowAnswer(String method, Pattern path, Duration delay, int[] remaining) {
    }

    /** The newest writes; a long-running local cluster (heartbeats are writes) must not grow without end. */
    private static final int KEPT = 100_000;
    private final java.util.ArrayDeque<Write> writes = new java.util.ArrayDeque<>();
    private final List<SlowAnswer> slow = new ArrayList<>();

    /** Answers the next count writes (method, path matching pathRegex) delay late. */
    public synchronized void answerSlowly(String method, String pathRegex, Duration delay, int count) {
        slow.add(new SlowAnswer(method, Pattern.compile(pathRegex), delay, new int[]{count}));
    }

    /** The writes answered so far (the newest 100,000), in order. */
    public synchronized List<Write> writes() {
        return List.copyOf(writes);
    }

    synchronized void answered(String method, String path, int code, String userAgent) {
        if (!method.equals("GET")) {
            if (writes.size() == KEPT) {
                writes.removeFirst();
            }
            writes.addLast(new Write(method, path, code, userAgent));
        }
    }

    /** The delay for this answer, if a slow-answer rule takes it. */
    synchronized Duration delay(String method, String path) {
        for (SlowAnswer s : slow) {
            if (s.remaining()[0] > 0 && s.method().equals(method) && s.path().matcher(path).matches()) {
                s.remaining()[0]--;
                return s.delay();
            }
        }
        return null;
    }
}
