package io.pgwarden.sandbox.api;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The API server's corrections of the CRUD mock, through the Fabric8 client as the services use it. */
class ApiServerSemanticsIT {
    private ApiServer api;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        api = ApiServer.start(0, Clock.systemUTC(), 300, resource -> { });
        client = api.newClient();
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private Pod pod(String name, String node) {
        return client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("i")
                .endContainer().endSpec().build()).create();
    }

    @Test
    void nodeNameFieldSelectorFiltersListsAndWatches() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch watch = client.pods().inAnyNamespace().withField("spec.nodeName", "node001").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                seen.add(action + " " + pod.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        pod("a", "node001");
        pod("b", "node002");

        assertThat(client.pods().inNamespace("default").withField("spec.nodeName", "node001").list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("ADDED a"));
        assertThat(seen).noneMatch(s -> s.endsWith(" b"));
        watch.close();
    }

    @Test
    void informersSeeAddsUpdatesAndDeletes() {
        List<String> seen = new CopyOnWriteArrayList<>();
        var informer = client.pods().inNamespace("default").inform(new io.fabric8.kubernetes.client.informers
                .ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen.add("add " + pod.getMetadata().getName());
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    seen.add("terminating " + pod.getMetadata().getName());
                }
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                seen.add("delete " + pod.getMetadata().getName());
            }
        });
        pod("a", "node001");
        client.pods().inNamespace("default").withName("a").delete();
        client.pods().inNamespace("default").withName("a").withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> seen.containsAll(List.of("add a", "terminating a", "delete a")));
        informer.close();
    }

    @Test
    void setBasedLabelSelectorsSelect() {
        pod("a", "node001");
        client.pods().inNamespace("default").withName("a").edit(p -> {
            p.getMetadata().getLabels().put("tier", "db");
            return p;
        });
        pod("b", "node001");
        assertThat(client.pods().inNamespace("default").withLabelIn("tier", "db", "cache").list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("a");
        assertThat(client.pods().inNamespace("default").withLabelNotIn("tier", "db").list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("b");
    }

    @Test
    void plainUpdateKeepsStatusAndStatusGoesThroughItsSubresource() {
        pod("a", "node001");
        client.pods().inNamespace("default").withName("a").editStatus(p -> {
            p.getStatus().setPhase("Running");
            return p;
        });
        client.pods().inNamespace("default").withName("a").edit(p -> {
            p.getMetadata().getLabels().put("x", "y");
            p.getStatus().setPhase("Failed");
            return p;
        });
        Pod stored = client.pods().inNamespace("default").withName("a").get();
        assertThat(stored.getMetadata().getLabels()).containsEntry("x", "y");
        assertThat(stored.getStatus().getPhase()).isEqualTo("Running");
        assertThat(stored.getSpec().getTolerations()).as("DefaultTolerationSeconds admission")
                .anyMatch(t -> "node.kubernetes.io/unreachable".equals(t.getKey()) && t.getTolerationSeconds() == 300);
    }

    @Test
    void staleResourceVersionIsAConflict() {
        Pod a = pod("a", "node001");
        client.pods().inNamespace("default").withName("a").edit(p -> {
            p.getMetadata().getLabels().put("x", "1");
            return p;
        });
        a.getMetadata().getLabels().put("x", "2");
        assertThatThrownBy(() -> client.pods().inNamespace("default").resource(a).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    }

    @Test
    void gracefulDeleteWaitsForTheKubeletAndForceDeleteDoesNot() {
        pod("a", "node001");
        client.pods().inNamespace("default").withName("a").delete();
        Pod terminating = client.pods().inNamespace("default").withName("a").get();
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30);
        // A status update of a terminating pod must not remove it (the mock's own update path would).
        client.pods().inNamespace("default").withName("a").editStatus(p -> {
            p.getStatus().setPhase("Running");
            return p;
        });
        assertThat(client.pods().inNamespace("default").withName("a").get()).isNotNull();

        client.pods().inNamespace("default").withName("a").withGracePeriod(0).delete();
        assertThat(client.pods().inNamespace("default").withName("a").get()).isNull();

        pod("unbound", null);
        client.pods().inNamespace("default").withName("unbound").delete();
        assertThat(client.pods().inNamespace("default").withName("unbound").get()).as("never bound: gone at once")
                .isNull();
    }

    @Test
    void claimsAreProtectedByTheirFinalizer() {
        client.persistentVolumeClaims().inNamespace("default").resource(new io.fabric8.kubernetes.api.model
                .PersistentVolumeClaimBuilder().withNewMetadata().withName("c").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").endSpec().build()).create();
        client.persistentVolumeClaims().inNamespace("default").withName("c").delete();
        var claim = client.persistentVolumeClaims().inNamespace("default").withName("c").get();
        assertThat(claim.getMetadata().getFinalizers()).containsExactly("kubernetes.io/pvc-protection");
        assertThat(claim.getMetadata().getDeletionTimestamp()).isNotNull();
        client.persistentVolumeClaims().inNamespace("default").withName("c").edit(c -> {
            c.getMetadata().getFinalizers().clear();
            return c;
        });
        assertThat(client.persistentVolumeClaims().inNamespace("default").withName("c").get()).isNull();
    }

    @Test
    void evictionIsAGracefulDelete() {
        pod("a", "node001");
        assertThat(client.pods().inNamespace("default").withName("a").evict()).isTrue();
        assertThat(client.pods().inNamespace("default").withName("a").get().getMetadata().getDeletionTimestamp())
                .isNotNull();
    }

    @Test
    void notFoundIsWordedAsTheRealServerWordsIt() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        for (String[] c : new String[][]{{"/api/v1/namespaces/default/pods/nope", "pods \"nope\" not found"},
                {"/apis/apps/v1/namespaces/default/statefulsets/nope", "statefulsets.apps \"nope\" not found"}}) {
            var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url() + c[0])).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(answer.body()).contains("\"reason\":\"NotFound\"", "\"message\":\"" + c[1].replace("\"", "\\\"")
                    + "\"");
        }
    }

    @Test
    void discoveryAndVersionAnswer() {
        assertThat(client.getKubernetesVersion().getMinor()).isEqualTo("32");
        assertThat(client.getApiGroups().getGroups()).extracting(g -> g.getName())
                .contains("apps", "coordination.k8s.io", "snapshot.storage.k8s.io", "csiaddons.openshift.io");
        assertThat(client.getApiResources("apps/v1").getResources()).extracting(r -> r.getName())
                .contains("statefulsets", "statefulsets/scale");
        assertThat(client.getApiResources("policy/v1").getResources()).extracting(r -> r.getName())
                .contains("poddisruptionbudgets", "poddisruptionbudgets/status");
        assertThat(client.getApiResources("v1").getResources()).extracting(r -> r.getName() + " " + r.getGroup()
                + "/" + r.getVersion()).contains("pods/eviction policy/v1");
    }
}
