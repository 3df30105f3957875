package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.PodHealthChanged;

import java.time.Instant;

/** A managed pod's health fields, as {@link PodHealthChanged} carries them. */
public record PodHealth(String namespace, String pod, String cluster, String node, String phase, boolean ready,
                 boolean deleting) implements Health<PodHealthChanged> {

    @Override
    public String key() {
        return namespace + "/" + pod;
    }

    @Override
    public PodHealthChanged event(boolean deleted, String resourceVersion, Instant observedAt, long sequence) {
        return new PodHealthChanged(namespace, pod, cluster, node, phase, ready, deleting, deleted, resourceVersion,
                observedAt, sequence);
    }
}
