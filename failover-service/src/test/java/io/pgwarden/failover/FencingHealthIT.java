package io.pgwarden.failover;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.pgwarden.contracts.Names;
import io.pgwarden.failover.fence.FenceDrivers;
import io.pgwarden.failover.fence.FenceTargets;
import io.pgwarden.database.DatabaseWrites;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * The service without a fence driver configured (this test profile sets none): the fencing check says why it cannot
 * fence, and readiness, which the local run and Kubernetes wait on, does not depend on it.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class FencingHealthIT {

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    FenceDrivers drivers;

    @Inject
    DatabaseWrites writes;

    @Test
    void fencing_is_down_with_the_reason_and_readiness_does_not_wait_for_it() {
        given().get("/q/health/well").then().statusCode(503)
                .body("checks.find { it.name == 'fencing' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'fencing' }.data.reason",
                        startsWith("no fence driver configured (pgwarden.failover.fence.driver or the node label "
                                + "pgwarden.io/fence-driver)"));
        given().get("/q/health/ready").then().statusCode(200).body("checks.name", not(hasItem("fencing")));
        given().get("/q/health/live").then().statusCode(200).body("checks.name", not(hasItem("fencing")));
    }

    @Test
    void a_node_labelled_with_a_driver_gets_it_from_every_driver_there_is() {
        var node = new NodeBuilder().withNewMetadata().withName("node009")
                .addToLabels(Names.FENCE_DRIVER_LABEL, "ceph-csi-taint").endMetadata().build();

        var choice = drivers.forNode(FenceTargets.of(node));

        assertThat(choice.driver()).get().extracting(d -> d.name()).isEqualTo("ceph-csi-taint");
        assertThat(choice.driver().get().taintFences()).isTrue();
        assertThat(drivers.forNode(FenceTargets.of(new NodeBuilder().withNewMetadata().withName("node008")
                .addToLabels(Names.FENCE_DRIVER_LABEL, "redfish").endMetadata().build())).driver()).isPresent();
        assertThat(drivers.forNode(FenceTargets.of(new NodeBuilder().withNewMetadata().withName("node007")
                .addToLabels(Names.FENCE_DRIVER_LABEL, "network-fence").endMetadata().build())).driver()).isPresent();
        // The cluster-DNS address: no StatefulSet there, and the check says so rather than failing.
        assertThat(writes.tryWrite("default", "pg")).contains("no StatefulSet default/pg");
    }
}
