package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, test 6: a PodDisruptionBudget that allows no disruption blocks the eviction of the database's pod with
 * the real API server's 429; once it allows one, the eviction goes through and the budget records it.
 */
class PodDisruptionBudgetIT {
    private static final String NS = DemoCluster.NS;
    private static final String BUDGET = DemoDatabase.NAME;

    @Test
    void aBudgetAllowingNoDisruptionBlocksTheEvictionUntilItAllowsOne() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            var budgets = cluster.client.policy().v1().podDisruptionBudget().inNamespace(NS);
            budgets.resource(budget(BUDGET, null, new IntOrString(0))).create();

            PodDisruptionBudget blocking = awaitBudget(cluster, BUDGET, s -> s.getDisruptionsAllowed() != null);
            assertThat(figures(blocking.getStatus())).isEqualTo("expected 1 desired 1 current 1 allowed 0");
            assertThat(blocking.getStatus().getObservedGeneration()).isEqualTo(blocking.getMetadata().getGeneration());
            assertThat(condition(blocking)).isEqualTo("False InsufficientPods");

            HttpResponse<String> refused = evict(cluster, false);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).contains("\"reason\":\"TooManyRequests\"",
                    "\"message\":\"Cannot evict pod as it would violate the pod's disruption budget.\"",
                    "{\"reason\":\"DisruptionBudget\",\"message\":\"The disruption budget pg-rook-sf needs 1 healthy "
                            + "pods and has 1 currently\"}");
            assertThat(cluster.client.pods().inNamespace(NS).withName(DemoCluster.POD).evict()).isFalse();
            assertPodStays(cluster, before);

            // Two budgets over one pod: the subresource gives up, in a Failure Status the create handler sends as 201.
            budgets.resource(budget("second", new IntOrString(0), null)).create();
            awaitBudget(cluster, "second", s -> s.getDisruptionsAllowed() != null && s.getDisruptionsAllowed() == 1);
            HttpResponse<String> unsupported = evict(cluster, false);
            assertThat(unsupported.statusCode()).isEqualTo(201);
            assertThat(unsupported.body()).contains("\"status\":\"Failure\"", "\"code\":500", "\"message\":\"This pod "
                    + "has more than one PodDisruptionBudget, which the eviction subresource does not support.\"");
            budgets.withName("second").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> budgets.list().getItems().size() == 1);
            assertPodStays(cluster, before);

            budgets.withName(BUDGET).edit(b -> new PodDisruptionBudgetBuilder(b).editSpec().withMaxUnavailable(null)
                    .withMinAvailable(new IntOrString(0)).endSpec().build());
            PodDisruptionBudget allowing = awaitBudget(cluster, BUDGET, s -> s.getObservedGeneration() == 2);
            assertThat(figures(allowing.getStatus())).isEqualTo("expected 1 desired 0 current 1 allowed 1");
            assertThat(condition(allowing)).isEqualTo("True SufficientPods");

            assertThat(evict(cluster, true).statusCode()).isEqualTo(201);
            assertPodStays(cluster, before);
            assertThat(budgets.withName(BUDGET).get().getStatus()).isEqualTo(allowing.getStatus());

            List<PodDisruptionBudgetStatus> seen = new CopyOnWriteArrayList<>();
            try (Watch watch = budgets.withName(BUDGET).watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, PodDisruptionBudget pdb) {
                    seen.add(pdb.getStatus());
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            })) {
                assertThat(cluster.client.pods().inNamespace(NS).withName(DemoCluster.POD).evict()).isTrue();
                Pod evicted = cluster.pod();
                assertThat(evicted.getMetadata().getDeletionTimestamp()).isNotNull();
                assertThat(evicted.getStatus().getConditions()).anyMatch(c -> "DisruptionTarget".equals(c.getType())
                        && "EvictionByEvictionAPI".equals(c.getReason()));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).anyMatch(s ->
                        s.getDisruptedPods().containsKey(DemoCluster.POD) && s.getDisruptionsAllowed() == 0));
            }

            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            PodDisruptionBudget settled = awaitBudget(cluster, BUDGET, s -> s.getCurrentHealthy() == 1);
            assertThat(figures(settled.getStatus())).isEqualTo("expected 1 desired 0 current 1 allowed 1");
            assertThat(settled.getStatus().getDisruptedPods()).isEmpty();

            budgets.withName(BUDGET).delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> budgets.list().getItems().isEmpty());
            assertThat(after.getMetadata().getUid()).isNotEqualTo(before.getMetadata().getUid());
        }
    }

    private static PodDisruptionBudget budget(String name, IntOrString minAvailable, IntOrString maxUnavailable) {
        return new PodDisruptionBudgetBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withMinAvailable(minAvailable).withMaxUnavailable(maxUnavailable).withNewSelector()
                .withMatchLabels(Map.of("app", DemoDatabase.NAME)).endSelector().endSpec().build();
    }

    /** Waits until the disruption controller has written a status that passes the test. */
    private static PodDisruptionBudget awaitBudget(DemoCluster cluster, String name,
                                                   Predicate<PodDisruptionBudgetStatus> test) {
        var budget = cluster.client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(name);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            PodDisruptionBudget pdb = budget.get();
            return pdb.getStatus() != null && pdb.getStatus().getObservedGeneration() != null && test.test(pdb.getStatus());
        });
        return budget.get();
    }

    private static String figures(PodDisruptionBudgetStatus s) {
        return "expected " + s.getExpectedPods() + " desired " + s.getDesiredHealthy() + " current "
                + s.getCurrentHealthy() + " allowed " + s.getDisruptionsAllowed();
    }

    private static String condition(PodDisruptionBudget pdb) {
        return pdb.getStatus().getConditions().stream().filter(c -> "DisruptionAllowed".equals(c.getType()))
                .map(c -> c.getStatus() + " " + c.getReason()).findFirst().orElse("none");
    }

    /** The eviction as kubectl drain posts it, to see the answer's code and body. */
    private static HttpResponse<String> evict(DemoCluster cluster, boolean dryRun) throws Exception {
        String body = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + DemoCluster.POD
                + "\",\"namespace\":\"" + NS + "\"}" + (dryRun ? ",\"deleteOptions\":{\"dryRun\":[\"All\"]}" : "") + "}";
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cluster.sandbox.apiServerUrl()
                        + "/api/v1/namespaces/" + NS + "/pods/" + DemoCluster.POD + "/eviction"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The same pod object, not terminating, over several passes of the controllers. */
    private static void assertPodStays(DemoCluster cluster, Pod before) {
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> {
            Pod p = cluster.pod();
            return p.getMetadata().getUid().equals(before.getMetadata().getUid()) && !cluster.isTerminating(p);
        });
    }
}
