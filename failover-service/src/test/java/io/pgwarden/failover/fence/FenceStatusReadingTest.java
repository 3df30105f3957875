package io.pgwarden.failover.fence;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.failover.fence.FenceStatus.State.FAILED;
import static io.pgwarden.failover.fence.FenceStatus.State.FENCED;
import static io.pgwarden.failover.fence.FenceStatus.State.NOT_FENCED;
import static io.pgwarden.failover.fence.FenceStatus.State.PENDING;
import static org.assertj.core.api.Assertions.assertThat;

/** What each driver's agent reports, mapped to a fence status; no I/O. */
class FenceStatusReadingTest {
    private static final List<String> CIDRS = List.of("10.20.0.11/32");

    @Test
    void redfish_confirms_only_power_state_off() {
        assertThat(RedfishPower.status("Off", Optional.empty()))
                .isEqualTo(FenceStatus.of(FENCED, "BMC reports PowerState Off"));
        assertThat(RedfishPower.status("PoweringOff", Optional.empty()))
                .isEqualTo(FenceStatus.of(PENDING, "BMC reports PowerState PoweringOff"));
        assertThat(RedfishPower.status("On", Optional.empty()).state()).isEqualTo(PENDING);
        assertThat(RedfishPower.status(null, Optional.empty()).state()).isEqualTo(PENDING);
        assertThat(RedfishPower.status("On", Optional.of("BMC refused ForceOff: HTTP 409: busy")))
                .isEqualTo(FenceStatus.of(FAILED, "BMC refused ForceOff: HTTP 409: busy"));
        assertThat(RedfishPower.status("Off", Optional.of("refused earlier")).state()).isEqualTo(FENCED);
    }

    @Test
    void redfish_errors_are_told_in_the_bmc_s_words() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String redfish = """
                {"error":{"code":"Base.1.8.GeneralError","message":"A general error has occurred.",
                 "@Message.ExtendedInfo":[{"Message":"The requested resource is in use."}]}}""";
        assertThat(RedfishPower.errorMessage(409, json.readTree(redfish), redfish))
                .isEqualTo("HTTP 409: The requested resource is in use.");
        String plain = "{\"error\":{\"message\":\"Unauthorized\"}}";
        assertThat(RedfishPower.errorMessage(401, json.readTree(plain), plain)).isEqualTo("HTTP 401: Unauthorized");
        String sandbox = "{\"error\":\"NotFound\",\"reason\":\"no system node009\"}";
        assertThat(RedfishPower.errorMessage(404, json.readTree(sandbox), sandbox))
                .isEqualTo("HTTP 404: no system node009");
        assertThat(RedfishPower.errorMessage(502, null, "Bad Gateway\n")).isEqualTo("HTTP 502: Bad Gateway");
    }

    @Test
    void network_fence_is_fenced_once_succeeded_on_the_wanted_cidrs() {
        Map<String, Object> fenced = NetworkFences.spec("rook-ceph.rbd.csi.ceph.com", CIDRS, "rook-csi-rbd-provisioner",
                "rook-ceph", Map.of("clusterID", "rook-ceph"));

        assertThat(read(fenced, Map.of()).state()).isEqualTo(PENDING);
        assertThat(read(fenced, Map.of("result", "Succeeded", "message", "fencing operation successful")))
                .isEqualTo(FenceStatus.of(FENCED, "NetworkFence pgwarden-node002 Fenced [10.20.0.11/32]: Succeeded "
                        + "(fencing operation successful)"));
        assertThat(NetworkFences.read("pgwarden-node002", Optional.of(fenced), Map.of("result", "Succeeded"),
                List.of("10.20.0.12/32")).state()).as("another address now").isEqualTo(PENDING);
        assertThat(read(fenced, Map.of("result", "Failed", "message", "missing or empty clusterID")))
                .isEqualTo(FenceStatus.of(FAILED, "NetworkFence pgwarden-node002 Fenced [10.20.0.11/32]: Failed "
                        + "(missing or empty clusterID)"));
        assertThat(NetworkFences.read("pgwarden-node002", Optional.empty(), Map.of(), CIDRS))
                .isEqualTo(FenceStatus.of(NOT_FENCED, "no NetworkFence pgwarden-node002"));
    }

    @Test
    void network_fence_is_unfenced_only_on_the_controller_s_unfencing_message() {
        Map<String, Object> unfenced = new java.util.HashMap<>(NetworkFences.spec("d", CIDRS, "s", "ns", Map.of()));
        unfenced.put("fenceState", "Unfenced");

        assertThat(read(unfenced, Map.of("result", "Succeeded", "message", "fencing operation successful")).state())
                .as("the status of the fencing, before the controller saw the change").isEqualTo(PENDING);
        assertThat(read(unfenced, Map.of("result", "Succeeded", "message", "unfencing operation successful"))
                .state()).isEqualTo(NOT_FENCED);
        assertThat(read(unfenced, Map.of("result", "Failed", "message", "no")).state()).isEqualTo(FAILED);
    }

    @Test
    void a_network_fence_asking_for_anything_else_is_not_the_one_wanted() {
        Map<String, Object> wanted = NetworkFences.spec("d", List.of("10.0.0.1/32", "10.0.0.2/32"), "s", "ns",
                Map.of("clusterID", "c"));
        Map<String, Object> reordered = NetworkFences.spec("d", List.of("10.0.0.2/32", "10.0.0.1/32"), "s", "ns",
                Map.of("clusterID", "c"));

        assertThat(NetworkFences.asksFor(reordered, wanted)).isTrue();
        assertThat(NetworkFences.asksFor(NetworkFences.spec("d", List.of("10.0.0.1/32"), "s", "ns",
                Map.of("clusterID", "c")), wanted)).isFalse();
        assertThat(NetworkFences.asksFor(NetworkFences.spec("d", List.of("10.0.0.1/32", "10.0.0.2/32"), "s", "ns",
                Map.of()), wanted)).isFalse();
    }

    @Test
    void ceph_csi_taint_is_fenced_once_the_tainted_node_has_no_attachment_left() {
        String driver = "rook-ceph.rbd.csi.ceph.com";
        assertThat(CephCsiTaintFenceDriver.read("node002", driver, false, List.of()).state()).isEqualTo(PENDING);
        assertThat(CephCsiTaintFenceDriver.read("node002", driver, true, List.of("csi-abc")))
                .isEqualTo(FenceStatus.of(PENDING, "1 VolumeAttachment(s) of rook-ceph.rbd.csi.ceph.com still on "
                        + "node node002 (csi-abc)"));
        assertThat(CephCsiTaintFenceDriver.read("node002", driver, true, List.of()).state()).isEqualTo(FENCED);
        assertThat(CephCsiTaintFenceDriver.read("node002", driver, null, List.of()).state()).isEqualTo(FAILED);
    }

    private static FenceStatus read(Map<String, Object> spec, Map<String, String> status) {
        return NetworkFences.read("pgwarden-node002", Optional.of(spec), status, CIDRS);
    }
}
