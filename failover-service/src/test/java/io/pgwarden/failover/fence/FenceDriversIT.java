package io.pgwarden.failover.fence;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.sandbox.StorageNames;
import io.pgwarden.sandbox.kubelet.Kubelet;
import io.pgwarden.testing.NodeEdits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.failover.fence.FenceStatus.State.FAILED;
import static io.pgwarden.failover.fence.FenceStatus.State.FENCED;
import static io.pgwarden.failover.fence.FenceStatus.State.NOT_FENCED;
import static io.pgwarden.failover.fence.FenceStatus.State.PENDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The power and storage fence drivers against the sandbox's BMCs and its Ceph CSI NetworkFence controller. */
class FenceDriversIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    static Sandbox sandbox;
    static KubernetesClient client;

    record RedfishSettings(Optional<String> credentialsSecret, boolean insecureTls, Duration connectTimeout,
                           Duration requestTimeout) implements RedfishFenceDriver.Settings {
    }

    record NetworkFenceSettings(Optional<String> driver, Optional<String> secretName, Optional<String> secretNamespace,
                                Map<String, String> parameters, Optional<String> clusterId, boolean useInternalIp)
            implements NetworkFenceDriver.Settings {
    }

    @BeforeAll
    static void start() throws IOException {
        sandbox = Sandbox.start(SandboxConfig.fast().withDataDir(Files.createTempDirectory("fence-it")));
        client = sandbox.client();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void redfish_cuts_the_power_and_confirms_it_only_once_the_bmc_reports_off() throws Exception {
        RedfishFenceDriver redfish = new RedfishFenceDriver(client, new RedfishSettings(Optional.empty(), false,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
        FenceTarget node = withBmc("node001", sandbox.httpApiUrl() + "/redfish/v1/Systems/node001");
        Kubelet machine = sandbox.faults().node("node001").orElseThrow();
        assertThat(redfish.misconfiguration(node)).isEmpty();

        redfish.fence(node);
        // The BMC answered the reset; it cuts the power a (scaled) 5 s later.
        assertThat(redfish.status(node)).isEqualTo(FenceStatus.of(PENDING, "BMC reports PowerState On"));
        assertThat(machine.isPowered()).isTrue();
        await().atMost(WAIT).until(() -> redfish.status(node).state() == FENCED);
        assertThat(redfish.status(node).detail()).isEqualTo("BMC reports PowerState Off");
        assertThat(machine.isPowered()).isFalse();
        redfish.fence(node); // fenced already: nothing is sent

        redfish.unfence(node, false);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> redfish.status(node).state() == FENCED);
        redfish.unfence(node, true);
        await().atMost(WAIT).until(() -> redfish.status(node).equals(FenceStatus.of(PENDING,
                "BMC reports PowerState On")));
    }

    @Test
    void redfish_reports_the_bmc_s_error_answer_as_failed() throws Exception {
        RedfishFenceDriver redfish = new RedfishFenceDriver(client, new RedfishSettings(Optional.empty(), false,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
        FenceTarget unknown = withBmc("node001", sandbox.httpApiUrl() + "/redfish/v1/Systems/node404");

        assertThatThrownBy(() -> redfish.fence(unknown)).isInstanceOf(IOException.class)
                .hasMessageEndingWith("answered HTTP 404: no system node404");
        assertThat(redfish.status(unknown)).isEqualTo(FenceStatus.of(FAILED, "BMC " + sandbox.httpApiUrl()
                + "/redfish/v1/Systems/node404 answered HTTP 404: no system node404"));
        assertThat(redfish.misconfiguration(new FenceTarget("node001", Map.of(), Map.of(), List.of())))
                .contains("node node001 has no annotation pgwarden.io/bmc-address (its BMC's Redfish system URL, "
                        + "e.g. https://10.0.0.21/redfish/v1/Systems/1)");
        assertThat(redfish.misconfiguration(withBmc("node001", "10.0.0.21"))).get().asString()
                .contains("is not an http(s) URL");
        RedfishFenceDriver noSecret = new RedfishFenceDriver(client, new RedfishSettings(
                Optional.of("kube-system/bmc"), false, Duration.ofSeconds(2), Duration.ofSeconds(5)));
        assertThat(noSecret.misconfiguration(withBmc("node001", sandbox.httpApiUrl() + "/redfish/v1/Systems/node001")))
                .contains("the BMC credentials Secret kube-system/bmc does not exist");
    }

    @Test
    void network_fence_blocklists_the_storage_address_of_the_annotation_not_the_internal_ip() throws Exception {
        Kubelet machine = sandbox.faults().node("node002").orElseThrow();
        // The node reaches Ceph over a network of its own, and its administrator says so in the annotation.
        machine.useStorageAddress("10.20.0.12");
        NodeEdits.annotate(client, "node002", Names.STORAGE_ADDRESSES_ANNOTATION, "10.20.0.12");
        NetworkFenceDriver fences = networkFences(Optional.of(StorageNames.CLUSTER_ID));
        FenceTarget node = FenceTargets.of(client.nodes().withName("node002").get());
        assertThat(node.internalAddresses()).containsExactly(machine.internalIp());
        assertThat(fences.misconfiguration(node)).isEmpty();
        assertThat(fences.status(node).state()).isEqualTo(NOT_FENCED);

        fences.fence(node);
        assertThat(fences.status(node).state()).isEqualTo(PENDING);
        await().atMost(WAIT).until(() -> fences.status(node).state() == FENCED);
        assertThat(fences.status(node).detail()).isEqualTo("NetworkFence pgwarden-node002 Fenced [10.20.0.12/32]: "
                + "Succeeded (fencing operation successful)");
        await().atMost(WAIT).until(machine::isFenced);
        Map<?, ?> spec = (Map<?, ?>) fence("pgwarden-node002").getAdditionalProperties().get("spec");
        assertThat(spec.get("parameters")).isEqualTo(Map.of("clusterID", "rook-ceph"));
        assertThat(spec.get("secret")).isEqualTo(Map.of("name", "rook-csi-rbd-provisioner", "namespace", "rook-ceph"));

        await().atMost(WAIT).until(() -> {
            fences.unfence(node, false);
            return fences.status(node).state() == NOT_FENCED && fence("pgwarden-node002") == null;
        });
        await().atMost(WAIT).until(() -> !machine.isFenced());
    }

    @Test
    void a_network_fence_ceph_csi_refuses_is_failed_with_its_reason() {
        NetworkFenceDriver fences = networkFences(Optional.empty());
        FenceTarget node = FenceTargets.of(client.nodes().withName("node003").get());

        fences.fence(node);

        await().atMost(WAIT).until(() -> fences.status(node).state() == FAILED);
        assertThat(fences.status(node).detail()).isEqualTo("NetworkFence pgwarden-node003 Fenced ["
                + sandbox.faults().node("node003").orElseThrow().storageAddress() + "/32]: Failed (rpc error: code = "
                + "InvalidArgument desc = missing or empty clusterID)");
        assertThat(sandbox.faults().node("node003").orElseThrow().isFenced()).isFalse();
        assertThat(fences.misconfiguration(new FenceTarget("node003", Map.of(), Map.of(), List.of("192.168.10.4"))))
                .contains("node node003 has no annotation pgwarden.io/storage-client-addresses (the addresses its "
                        + "Ceph client talks from); pgwarden.failover.network-fence.use-internal-ip=true fences its "
                        + "InternalIPs instead");
    }

    private static NetworkFenceDriver networkFences(Optional<String> clusterId) {
        return new NetworkFenceDriver(client, new NetworkFenceSettings(Optional.of(StorageNames.CSI_DRIVER),
                Optional.of("rook-csi-rbd-provisioner"), Optional.of("rook-ceph"), Map.of(), clusterId, false));
    }

    private static GenericKubernetesResource fence(String name) {
        return client.genericKubernetesResources(NetworkFenceDriver.NETWORK_FENCES).withName(name).get();
    }

    private static FenceTarget withBmc(String node, String bmc) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Names.BMC_ADDRESS_ANNOTATION, bmc);
        return new FenceTarget(node, Map.of(), annotations, List.of());
    }
}
