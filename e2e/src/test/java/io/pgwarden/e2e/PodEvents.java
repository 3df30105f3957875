package io.pgwarden.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A database's pod changes as they arrive, through the sandbox's own client (an API outage does not cut it off). The
 * sandbox runs in the benchmark's JVM, so the arrival is within milliseconds of the API server's change.
 */
final class PodEvents implements AutoCloseable {

    /** A change of one of the database's pods as the informer delivered it, with when it arrived. */
    record PodEvent(Instant at, String type, String uid, String node, boolean ready) {
    }

    private final List<PodEvent> events = new CopyOnWriteArrayList<>();
    private final SharedIndexInformer<Pod> informer;

    PodEvents(KubernetesClient client, String namespace, String name) {
        informer = client.pods().inNamespace(namespace).withLabel("app", name).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                record("ADDED", pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
                record("MODIFIED", pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                record("DELETED", pod);
            }
        }, 0);
    }

    private void record(String type, Pod pod) {
        boolean ready = pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        events.add(new PodEvent(Instant.now(), type, pod.getMetadata().getUid(),
                pod.getSpec() == null ? null : pod.getSpec().getNodeName(), ready));
    }

    Optional<Instant> deleted(String uid, Instant after) {
        return events.stream().filter(e -> e.type().equals("DELETED") && e.uid().equals(uid)
                && e.at().isAfter(after)).map(PodEvent::at).findFirst();
    }

    /** The first event of another pod than {@code uid} after the instant that matches. */
    Optional<Instant> firstOther(String uid, Instant after, Predicate<PodEvent> matching) {
        return events.stream().filter(e -> !e.uid().equals(uid) && e.at().isAfter(after)
                && !e.type().equals("DELETED") && matching.test(e)).map(PodEvent::at).findFirst();
    }

    @Override
    public void close() {
        informer.close();
    }
}
