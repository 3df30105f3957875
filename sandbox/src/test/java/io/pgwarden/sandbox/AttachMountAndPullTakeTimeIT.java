package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.sandbox.record.Timeline;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The first start of pg-rook-sf-0: the VolumeAttachment is created unattached and attached later by the
 * external-attacher; the kubelet waits for node.status.volumesAttached, mounts (rbd map, mount), pulls the image the
 * node lacks (Pulling, Pulled) and only then starts PostgreSQL; the pod is ContainerCreating all along.
 */
class AttachMountAndPullTakeTimeIT {

    @Test
    void firstStartWaitsForAttachMountAndPull() {
        SandboxConfig config = SandboxConfig.fast();
        try (DemoCluster cluster = DemoCluster.start(config)) {
            Pod pod = cluster.awaitReady();
            String node = pod.getSpec().getNodeName();
            String pv = cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS)
                    .withName("data-" + DemoCluster.POD).get().getSpec().getVolumeName();
            List<Timeline.Entry> timeline = cluster.sandbox.timeline().entries();
            Instant attaching = at(timeline, "attachment", pv, "Attaching to " + node);
            Instant attached = at(timeline, "attachment", pv, "Attached to " + node);
            String podKey = DemoCluster.NS + "/" + DemoCluster.POD;
            List<Timeline.Entry> kubeletSaw = timeline.stream().filter(e -> e.kind().equals("pod")
                    && e.name().equals(podKey) && e.state().endsWith(" on " + node)).toList();
            Instant running = kubeletSaw.stream().filter(e -> !e.state().startsWith("Pending"))
                    .map(Timeline.Entry::at).findFirst().orElseThrow();

            Timings real = config.timings();
            assertThat(Duration.between(attaching, attached)).as("attach completes after the external-attacher's call")
                    .isGreaterThanOrEqualTo(config.scaled(real.attachTime()));
            assertThat(Duration.between(attached, running)).as("mount and image pull before the container starts")
                    .isGreaterThanOrEqualTo(config.scaled(real.mountTime().plus(real.imagePullTime())));
            List<Timeline.Entry> waiting = kubeletSaw.stream().filter(e -> e.at().isBefore(running)).toList();
            assertThat(waiting).isNotEmpty();
            assertThat(waiting).allSatisfy(e -> assertThat(e.state()).startsWith("Pending NotReady")
                    .contains("ContainerCreating"));

            var attachment = cluster.client.storage().v1().volumeAttachments().list().getItems().stream()
                    .filter(a -> pv.equals(a.getSpec().getSource().getPersistentVolumeName())).findFirst().orElseThrow();
            assertThat(attachment.getStatus().getAttached()).isTrue();
            assertThat(cluster.node(node).getStatus().getVolumesAttached())
                    .anySatisfy(v -> assertThat(v.getName()).isEqualTo(StorageNames.uniqueVolumeName(cluster.client
                            .persistentVolumes().withName(pv).get().getSpec().getCsi().getVolumeHandle())));

            List<Event> events = cluster.client.v1().events().inNamespace(DemoCluster.NS).list().getItems().stream()
                    .filter(e -> DemoCluster.POD.equals(e.getInvolvedObject().getName())
                            && "kubelet".equals(e.getSource().getComponent())).toList();
            assertThat(events).extracting(Event::getReason).containsSubsequence("Pulling", "Pulled");
            assertThat(events).filteredOn(e -> e.getReason().equals("Pulled")).singleElement()
                    .satisfies(e -> assertThat(e.getMessage())
                            .startsWith("Successfully pulled image \"" + DemoDatabase.IMAGE + "\" in "));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.node(node).getStatus()
                    .getImages()).anySatisfy(i -> assertThat(i.getNames()).contains(DemoDatabase.IMAGE)));
        }
    }

    private static Instant at(List<Timeline.Entry> timeline, String kind, String name, String state) {
        return timeline.stream().filter(e -> e.kind().equals(kind) && e.name().equals(name) && e.state().equals(state))
                .map(Timeline.Entry::at).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " " + state + " in " + timeline));
    }
}
