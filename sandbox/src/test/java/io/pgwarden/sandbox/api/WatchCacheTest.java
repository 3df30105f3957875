package io.pgwarden.sandbox.api;

import io.fabric8.mockwebserver.crud.AttributeSet;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The watch cache's history rules (watch_cache.go resizeCacheLocked, getAllEventsSinceLocked), without I/O. */
class WatchCacheTest {
    private static final String PODS = "/pods";
    private final AtomicLong now = new AtomicLong();
    private final WatchCache cache = new WatchCache(now::get);
    private long version;

    private void change(String resource) {
        version++;
        cache.add(resource, new WatchCache.Change(version, new AttributeSet(), "{}", new AttributeSet(), "{}",
                now.get()));
    }

    @Test
    void aWatchGetsTheChangesAfterItsVersionOnly() throws Exception {
        for (int i = 0; i < 5; i++) {
            change(PODS);
            change("/nodes");
        }
        assertThat(cache.since(PODS, 4)).extracting(c -> c.resourceVersion).containsExactly(5L, 7L, 9L);
        assertThat(cache.since(PODS, 10)).isEmpty();
        assertThat(cache.since(PODS, 0)).hasSize(5);
        assertThat(cache.since("apps/statefulsets", 3)).as("a resource without changes").isEmpty();
    }

    @Test
    void aFreshFullRingGrowsInsteadOfForgetting() throws Exception {
        for (int i = 0; i < 1000; i++) {
            change(PODS);
        }
        assertThat(cache.capacity(PODS)).isEqualTo(1600);
        assertThat(cache.size(PODS)).isEqualTo(1000);
        assertThat(cache.since(PODS, 0)).hasSize(1000);
    }

    @Test
    void theRingStopsAtItsUpperBound() throws Exception {
        for (int i = 0; i < WatchCache.UPPER_BOUND_CAPACITY + 10; i++) {
            change(PODS);
        }
        assertThat(cache.capacity(PODS)).isEqualTo(WatchCache.UPPER_BOUND_CAPACITY);
        assertThat(cache.size(PODS)).isEqualTo(WatchCache.UPPER_BOUND_CAPACITY);
        assertThatThrownBy(() -> cache.since(PODS, 5)).isInstanceOf(WatchCache.Expired.class)
                .hasMessage("too old resource version: 5 (10)");
        assertThat(cache.since(PODS, 10)).hasSize(WatchCache.UPPER_BOUND_CAPACITY);
    }

    @Test
    void aStaleRingShrinksAndForgetsItsOldest() throws Exception {
        for (int i = 0; i < 400; i++) {
            change(PODS);
        }
        assertThat(cache.capacity(PODS)).isEqualTo(400);
        now.addAndGet(TimeUnit.SECONDS.toNanos(76));
        change(PODS);
        assertThat(cache.capacity(PODS)).as("the newest quarter is stale: halved").isEqualTo(200);
        assertThat(cache.size(PODS)).isEqualTo(200);
        assertThat(cache.since(PODS, 201)).extracting(c -> c.resourceVersion).startsWith(202L).endsWith(401L);
        assertThatThrownBy(() -> cache.since(PODS, 200)).isInstanceOf(WatchCache.Expired.class)
                .hasMessage("too old resource version: 200 (201)");
    }

    @Test
    void aDeletionCarriesThePreviousStateAtItsOwnVersion() {
        var change = new WatchCache.Change(42, new AttributeSet(),
                "{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"7\"},\"spec\":{\"x\":1}}", null, null, 0);
        assertThat(change.type).isEqualTo("DELETED");
        assertThat(change.deletedObject()).contains("\"resourceVersion\":\"42\"", "\"x\":1");
    }
}
