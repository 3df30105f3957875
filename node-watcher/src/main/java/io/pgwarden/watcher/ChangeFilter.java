package io.pgwarden.watcher;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets through only readings that differ from the last one published for the same key, so informer
 * resyncs and repeated heartbeats do not flood the topic.
 */
public final class ChangeFilter<T> {
    private final Map<String, T> published = new ConcurrentHashMap<>();

    /** True when value differs from what was last published for key; the caller must then publish it. */
    public boolean isChange(String key, T value) {
        return !value.equals(published.get(key));
    }

    public void published(String key, T value) {
        published.put(key, value);
    }

    /** Forget a key whose publication failed, so the next reading is tried again. */
    public void forget(String key) {
        published.remove(key);
    }

    public Collection<T> lastPublished() {
        return List.copyOf(published.values());
    }
}
