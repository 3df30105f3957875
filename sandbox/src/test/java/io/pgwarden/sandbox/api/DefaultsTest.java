package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The API server's defaults (pkg/apis/apps/v1/defaults.go, pkg/apis/core/v1/defaults.go), without I/O. */
class DefaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode defaulted(String plural, String json) throws Exception {
        return Defaults.apply(plural, (ObjectNode) JSON.readTree(json));
    }

    @Test
    void aStatefulSetGetsRollingUpdateOrderedReadyRetainAndItsTemplatesDefaults() throws Exception {
        JsonNode spec = defaulted("statefulsets", """
                {"spec":{"serviceName":"db","template":{"spec":{"containers":[{"name":"pg","image":"postgres:17",
                "ports":[{"containerPort":5432}]}]}},
                "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"]}}]}}
                """).path("spec");
        assertThat(spec.path("updateStrategy").toString())
                .isEqualTo("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}");
        assertThat(spec.path("podManagementPolicy").asText()).isEqualTo("OrderedReady");
        assertThat(spec.path("revisionHistoryLimit").asInt()).isEqualTo(10);
        assertThat(spec.path("replicas").asInt()).isEqualTo(1);
        assertThat(spec.path("persistentVolumeClaimRetentionPolicy").toString())
                .isEqualTo("{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Retain\"}");
        JsonNode pod = spec.path("template").path("spec");
        assertThat(pod.path("restartPolicy").asText()).isEqualTo("Always");
        assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirst");
        assertThat(pod.path("terminationGracePeriodSeconds").asLong()).isEqualTo(30);
        assertThat(pod.path("schedulerName").asText()).isEqualTo("default-scheduler");
        assertThat(pod.path("securityContext").isObject()).isTrue();
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(container.path("terminationMessagePath").asText()).isEqualTo("/dev/termination-log");
        assertThat(container.path("terminationMessagePolicy").asText()).isEqualTo("File");
        assertThat(container.path("ports").get(0).path("protocol").asText()).isEqualTo("TCP");
        assertThat(spec.path("volumeClaimTemplates").get(0).path("spec").path("volumeMode").asText())
                .isEqualTo("Filesystem");
    }

    @Test
    void whatTheClientSetStays() throws Exception {
        JsonNode spec = defaulted("statefulsets", """
                {"spec":{"replicas":3,"podManagementPolicy":"Parallel","updateStrategy":{"type":"OnDelete"},
                "template":{"spec":{"restartPolicy":"Never","terminationGracePeriodSeconds":5,
                "containers":[{"name":"c","image":"busybox","imagePullPolicy":"Never"}]}}}}
                """).path("spec");
        assertThat(spec.path("updateStrategy").toString()).isEqualTo("{\"type\":\"OnDelete\"}");
        assertThat(spec.path("podManagementPolicy").asText()).isEqualTo("Parallel");
        assertThat(spec.path("replicas").asInt()).isEqualTo(3);
        assertThat(spec.path("template").path("spec").path("restartPolicy").asText()).isEqualTo("Never");
        assertThat(spec.path("template").path("spec").path("terminationGracePeriodSeconds").asLong()).isEqualTo(5);
        assertThat(spec.path("template").path("spec").path("containers").get(0).path("imagePullPolicy").asText())
                .isEqualTo("Never");

        JsonNode rolling = defaulted("statefulsets", "{\"spec\":{\"updateStrategy\":{\"type\":\"RollingUpdate\"}}}")
                .path("spec").path("updateStrategy");
        assertThat(rolling.toString()).as("a type without rollingUpdate gets no partition, as upstream")
                .isEqualTo("{\"type\":\"RollingUpdate\"}");
    }

    @Test
    void defaultingTwiceChangesNothing() throws Exception {
        String pod = "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"livenessProbe\":{\"httpGet\":"
                + "{\"port\":8080}}}]}}";
        ObjectNode once = defaulted("pods", pod);
        assertThat(Defaults.apply("pods", once.deepCopy())).isEqualTo(once);
    }

    @Test
    void aPodsContainersGetPullPolicyByTagProbesAndRequestsFromLimits() throws Exception {
        JsonNode spec = defaulted("pods", """
                {"spec":{"containers":[
                  {"name":"a","image":"busybox"},
                  {"name":"b","image":"registry:5000/app:latest"},
                  {"name":"c","image":"registry:5000/app:1.2","resources":{"limits":{"cpu":"1"}},
                   "readinessProbe":{"httpGet":{"port":80}}},
                  {"name":"d","image":"app@sha256:abc"}]}}
                """).path("spec");
        assertThat(spec.path("containers").findValuesAsText("imagePullPolicy"))
                .containsExactly("Always", "Always", "IfNotPresent", "IfNotPresent");
        JsonNode probe = spec.path("containers").get(2).path("readinessProbe");
        assertThat(probe.path("timeoutSeconds").asInt()).isEqualTo(1);
        assertThat(probe.path("periodSeconds").asInt()).isEqualTo(10);
        assertThat(probe.path("successThreshold").asInt()).isEqualTo(1);
        assertThat(probe.path("failureThreshold").asInt()).isEqualTo(3);
        assertThat(probe.path("httpGet").path("path").asText()).isEqualTo("/");
        assertThat(probe.path("httpGet").path("scheme").asText()).isEqualTo("HTTP");
        assertThat(spec.path("containers").get(2).path("resources").path("requests").path("cpu").asText())
                .isEqualTo("1");
        assertThat(spec.path("enableServiceLinks").asBoolean()).isTrue();
        assertThat(spec.path("restartPolicy").asText()).isEqualTo("Always");
    }

    @Test
    void aServiceIsClusterIpWithoutAffinityAndItsPortsTargetThemselves() throws Exception {
        JsonNode spec = defaulted("services", """
                {"spec":{"selector":{"app":"db"},"ports":[{"port":5432},{"port":80,"targetPort":"http"}]}}
                """).path("spec");
        assertThat(spec.path("type").asText()).isEqualTo("ClusterIP");
        assertThat(spec.path("sessionAffinity").asText()).isEqualTo("None");
        assertThat(spec.path("internalTrafficPolicy").asText()).isEqualTo("Cluster");
        assertThat(spec.path("ports").get(0).path("protocol").asText()).isEqualTo("TCP");
        assertThat(spec.path("ports").get(0).path("targetPort").asInt()).isEqualTo(5432);
        assertThat(spec.path("ports").get(1).path("targetPort").asText()).isEqualTo("http");
        assertThat(spec.has("externalTrafficPolicy")).isFalse();
    }

    @Test
    void otherKindsAreLeftAlone() throws Exception {
        String lease = "{\"spec\":{\"holderIdentity\":\"node001\"}}";
        assertThat(defaulted("leases", lease)).isEqualTo(JSON.readTree(lease));
    }
}
