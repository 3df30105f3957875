package io.pgwarden.failover.fence;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.sandbox.StorageNames;
import io.pgwarden.sandbox.kubelet.Kubelet;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.pgwarden.failover.fence.FenceStatus.State.FENCED;
import static io.pgwarden.failover.fence.FenceStatus.State.PENDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Ceph CSI with --enable-fencing: the out-of-service taint asks for the fence, the detach confirms it. */
class CephCsiTaintFenceIT {

    @Test
    void the_fence_is_confirmed_only_once_the_tainted_node_s_volume_is_detached() throws Exception {
        try (Sandbox sandbox = Sandbox.start(SandboxConfig.fast().withCephCsiFencing(true).withDemoDatabase(true)
                .withDataDir(Files.createTempDirectory("ceph-csi-taint-it")))) {
            KubernetesClient client = sandbox.client();
            CephCsiTaintFenceDriver driver = new CephCsiTaintFenceDriver(client, () -> Optional.of(
                    StorageNames.CSI_DRIVER));
            String node = awaitRunningPod(client).getSpec().getNodeName();
            Kubelet machine = sandbox.faults().node(node).orElseThrow();
            FenceTarget target = FenceTargets.of(client.nodes().withName(node).get());
            assertThat(driver.taintFences()).isTrue();
            assertThat(driver.misconfiguration(target)).isEmpty();

            sandbox.faults().partition(node); // the zombie: its PostgreSQL keeps running
            await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(readiness(client, node)));
            driver.fence(target);
            assertThat(driver.status(target).state()).isEqualTo(PENDING);
            assertThat(driver.status(target).detail()).contains("has no node.kubernetes.io/out-of-service taint");

            // NoSchedule first: the pod stays until its unreachable toleration (a scaled 300 s) runs out, and so
            // does its VolumeAttachment.
            taintOutOfService(client, node, "NoSchedule");
            FenceStatus attached = driver.status(target);
            assertThat(attached.state()).isEqualTo(PENDING);
            assertThat(attached.detail()).startsWith("1 VolumeAttachment(s) of " + StorageNames.CSI_DRIVER
                    + " still on node " + node);
            assertThat(machine.isFenced()).isFalse();

            taintOutOfService(client, node, "NoExecute");
            await().atMost(Duration.ofSeconds(30)).until(() -> driver.status(target).state() == FENCED);
            assertThat(client.storage().v1().volumeAttachments().list().getItems())
                    .noneMatch(va -> node.equals(va.getSpec().getNodeName()));
            // Ceph CSI blocklisted the node at the detach; the node's I/O fails from the sandbox's next pass.
            await().atMost(Duration.ofSeconds(5)).until(machine::isFenced);
        }
    }

    private static Pod awaitRunningPod(KubernetesClient client) {
        String name = DemoDatabase.NAME + "-0";
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            Pod pod = client.pods().inNamespace(DemoDatabase.NAMESPACE).withName(name).get();
            return pod != null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
        });
        return client.pods().inNamespace(DemoDatabase.NAMESPACE).withName(name).get();
    }

    private static String readiness(KubernetesClient client, String node) {
        return client.nodes().withName(node).get().getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType())).map(c -> c.getStatus()).findFirst().orElse("");
    }

    /** As the incident does: the taint replaces any earlier out-of-service one; the node lifecycle writes too. */
    private static void taintOutOfService(KubernetesClient client, String node, String effect) {
        for (int attempt = 1; ; attempt++) {
            Node current = client.nodes().withName(node).get();
            List<Taint> taints = new ArrayList<>(current.getSpec().getTaints() == null ? List.of()
                    : current.getSpec().getTaints());
            taints.removeIf(t -> Names.TAINT_OUT_OF_SERVICE.equals(t.getKey()));
            taints.add(new TaintBuilder().withKey(Names.TAINT_OUT_OF_SERVICE).withValue("nodeshutdown")
                    .withEffect(effect).build());
            current.getSpec().setTaints(taints);
            try {
                client.nodes().resource(current).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 20) {
                    throw e;
                }
            }
        }
    }
}
