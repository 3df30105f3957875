package io.pgwarden.leader;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas' elections, built as {@link Leadership} builds them with the default timings, against the CRUD
 * API server that Quarkus' {@code @WithKubernetesTestServer(crud = true)} runs (Fabric8's mock): exactly one
 * leads, the other takes over when it closes or is cut off, and the two never lead at once. Prints the takeover
 * times.
 */
class LeaseElectionIT {
    private static final String NAMESPACE = "default";
    private static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    private static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
    private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

    private static KubernetesMockServer server;
    private static KubernetesClient client;

    @BeforeAll
    static void startApiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
    }

    @AfterAll
    static void stopApiServer() {
        client.close();
        server.destroy();
    }

    /** The elector's safety rests on optimistic concurrency: a write based on a stale read must fail. */
    @Test
    void the_api_server_refuses_a_lease_write_from_a_stale_read() {
        Lease read = client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder().withNewMetadata()
                .withName("conflicts").withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withHolderIdentity("a").endSpec().build()).create();
        client.leases().inNamespace(NAMESPACE).withName("conflicts")
                .edit(l -> new LeaseBuilder(l).editSpec().withHolderIdentity("b").endSpec().build());

        // What Fabric8's ResourceLock.update sends: a JSON merge patch carrying the resourceVersion it read.
        Lease stale = new LeaseBuilder(read).editSpec().withHolderIdentity("c").endSpec().build();
        assertThatThrownBy(() -> client.resource(stale).patch(PatchContext.of(PatchType.JSON_MERGE)))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThatThrownBy(() -> client.resource(stale).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        // Two standbys creating the missing Lease at once: the second create fails.
        assertThatThrownBy(() -> client.resource(new LeaseBuilder().withNewMetadata().withName("conflicts")
                .withNamespace(NAMESPACE).endMetadata().withNewSpec().withHolderIdentity("d").endSpec().build())
                .create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(client.leases().inNamespace(NAMESPACE).withName("conflicts").get().getSpec().getHolderIdentity())
                .isEqualTo("b");
    }

    /**
     * The requests an election sends for its Lease, so RBAC can grant exactly these verbs (deploy's ManifestsTest
     * checks the Roles grant get, create and patch): GET to read, POST to create, PATCH (a JSON merge patch with the
     * resourceVersion read) to renew and to release; never PUT or DELETE.
     */
    @Test
    void an_election_reads_creates_and_patches_its_lease_and_nothing_else() throws InterruptedException {
        while (server.takeRequest(50, TimeUnit.MILLISECONDS) != null) {
            // requests of earlier tests
        }
        try (Candidate a = new Candidate("verbs", "a", client)) {
            a.election.start();
            await().atMost(Duration.ofSeconds(10)).until(a.election::isLeader);
            var acquired = renewTime("verbs");
            await().atMost(RETRY_PERIOD.multipliedBy(3)).until(() -> !acquired.equals(renewTime("verbs"))); // renewed
        } // released
        Set<String> methods = new TreeSet<>();
        for (RecordedRequest r = server.takeRequest(500, TimeUnit.MILLISECONDS); r != null;
             r = server.takeRequest(500, TimeUnit.MILLISECONDS)) {
            if (r.getPath().startsWith("/apis/coordination.k8s.io/v1/namespaces/" + NAMESPACE + "/leases")) {
                methods.add(r.getMethod());
            }
        }
        assertThat(methods).containsExactlyInAnyOrder("GET", "POST", "PATCH");
        // Fabric8's release writes holder null and a 1 s lease, but the merge patch leaves nulls out, so the holder
        // stays and only the lease shortens: a standby may take it a second later.
        assertThat(client.leases().inNamespace(NAMESPACE).withName("verbs").get().getSpec().getLeaseDurationSeconds())
                .as("released").isEqualTo(1);
    }

    @Test
    void exactly_one_of_two_leads_and_the_other_takes_over_at_once_when_the_leader_closes() {
        try (Candidate a = new Candidate("takeover", "a", client); Candidate b = new Candidate("takeover", "b", client);
             NeverBoth check = new NeverBoth(a, b)) {
            a.election.start();
            b.election.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.election.isLeader() || b.election.isLeader());
            // Through several renewals and acquisition attempts, exactly one leads.
            await().during(RETRY_PERIOD.multipliedBy(3)).atMost(RETRY_PERIOD.multipliedBy(4))
                    .until(() -> a.election.isLeader() ^ b.election.isLeader());
            Candidate leader = a.election.isLeader() ? a : b;
            Candidate standby = leader == a ? b : a;
            assertThat(holder("takeover")).isEqualTo(leader.identity);

            long closed = System.nanoTime();
            leader.close();
            await().atMost(LEASE_DURATION).pollInterval(Duration.ofMillis(10)).until(standby.election::isLeader);
            Duration takeover = Duration.ofNanos(System.nanoTime() - closed);
            System.out.printf("TAKEOVER after the leader released the Lease (close): %d ms "
                    + "(lease %s, renew deadline %s, retry period %s)%n", takeover.toMillis(),
                    LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD);

            assertThat(takeover).as("released, not expired").isLessThan(LEASE_DURATION);
            assertThat(holder("takeover")).isEqualTo(standby.identity);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(leader.changes).containsExactly(true, false);
                assertThat(standby.changes).containsExactly(true);
            });
            assertThat(check.violations()).as("moments both led").isEmpty();
        }
    }

    @Test
    void a_leader_cut_off_from_the_api_stops_leading_before_the_standby_takes_over() throws Exception {
        URI api = URI.create(client.getConfiguration().getMasterUrl());
        try (TcpProxy network = new TcpProxy(api.getHost(), api.getPort());
             KubernetesClient cutOffClient = new KubernetesClientBuilder().withConfig(
                     new ConfigBuilder(client.getConfiguration())
                             .withMasterUrl("http://" + api.getHost() + ":" + network.port() + "/").build()).build();
             Candidate a = new Candidate("cut-off", "a", cutOffClient);
             Candidate b = new Candidate("cut-off", "b", client);
             NeverBoth check = new NeverBoth(a, b)) {
            a.election.start();
            await().atMost(Duration.ofSeconds(10)).until(a.election::isLeader);
            b.election.start();
            await().during(RETRY_PERIOD.multipliedBy(2)).atMost(RETRY_PERIOD.multipliedBy(3))
                    .until(() -> !b.election.isLeader());

            long cut = System.nanoTime();
            network.cut();
            await().atMost(RENEW_DEADLINE.plus(RETRY_PERIOD)).pollInterval(Duration.ofMillis(10))
                    .until(() -> !a.election.isLeader());
            Duration stopped = Duration.ofNanos(System.nanoTime() - cut);
            await().atMost(LEASE_DURATION.plus(RETRY_PERIOD.multipliedBy(3))).pollInterval(Duration.ofMillis(10))
                    .until(b.election::isLeader);
            Duration takeover = Duration.ofNanos(System.nanoTime() - cut);
            System.out.printf("TAKEOVER after the leader was cut off from the API: leader stopped after %d ms, "
                    + "standby led after %d ms (lease %s, renew deadline %s, retry period %s)%n",
                    stopped.toMillis(), takeover.toMillis(), LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD);

            assertThat(stopped).isLessThanOrEqualTo(RENEW_DEADLINE.plusMillis(500));
            assertThat(takeover).isGreaterThan(stopped);
            // The listeners hear a change on the election's event thread, a moment after isLeader() turned.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(a.changes).containsExactly(true, false);
                assertThat(b.changes).containsExactly(true);
            });
            assertThat(check.violations()).as("moments both led").isEmpty();
        }
    }

    private static String holder(String lease) {
        return client.leases().inNamespace(NAMESPACE).withName(lease).get().getSpec().getHolderIdentity();
    }

    private static java.time.ZonedDateTime renewTime(String lease) {
        return client.leases().inNamespace(NAMESPACE).withName(lease).get().getSpec().getRenewTime();
    }

    /** One replica's election, built as Leadership builds it, recording what its listener heard. */
    private static final class Candidate implements AutoCloseable {
        final String identity;
        final List<Boolean> changes = new CopyOnWriteArrayList<>();
        final LeaseElection election;

        Candidate(String lease, String name, KubernetesClient kubernetes) {
            identity = Identity.of(name, name.hashCode());
            election = new LeaseElection(kubernetes, new LeaseElection.Settings(NAMESPACE, lease, identity,
                    LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD), Clock.systemUTC(),
                    change -> changes.add(change.leading()));
        }

        @Override
        public void close() {
            election.close();
        }
    }

    /** Samples both candidates every few milliseconds and records any moment they both lead. */
    private static final class NeverBoth implements AutoCloseable {
        private final List<String> violations = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread sampler;

        NeverBoth(Candidate a, Candidate b) {
            sampler = new Thread(() -> {
                while (running.get()) {
                    if (a.election.isLeader() && b.election.isLeader()) {
                        violations.add(java.time.Instant.now().toString());
                    }
                    LockSupport.parkNanos(2_000_000);
                }
            }, "never-both");
            sampler.setDaemon(true);
            sampler.start();
        }

        List<String> violations() {
            return List.copyOf(violations);
        }

        @Override
        public void close() {
            running.set(false);
        }
    }
}
