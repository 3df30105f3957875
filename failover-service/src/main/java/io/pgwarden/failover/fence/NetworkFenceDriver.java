package io.pgwarden.failover.fence;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.pgwarden.contracts.Names;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Fences a node at the storage: a csi-addons NetworkFence ({@code csiaddons.openshift.io/v1alpha1}, cluster-scoped)
 * that makes Ceph CSI blocklist the node's storage client addresses, so its writes to any image fail (csi-addons
 * {@code api/csiaddons/v1alpha1/networkfence_types.go}, ceph-csi {@code internal/csi-addons/rbd/network_fence.go}).
 * <p>
 * The addresses are the node's annotation {@code pgwarden.io/storage-client-addresses}, never the watchers of
 * {@code rbd status}: Rook took them from there and fenced the wrong client when a pod had already moved (rook/rook
 * #14832), and removed that automation in 2026. Using the node's InternalIP instead is opt-in
 * ({@code use-internal-ip}), because a node that reaches Ceph over a network of its own (Multus) talks to it from
 * another address, and a fence on the InternalIP then misses it.
 */
@Singleton
public class NetworkFenceDriver implements FenceDriver {
    public static final String NAME = "network-fence";
    static final ResourceDefinitionContext NETWORK_FENCES = new ResourceDefinitionContext.Builder()
            .withGroup("csiaddons.openshift.io").withVersion("v1alpha1").withKind("NetworkFence")
            .withPlural("networkfences").withNamespaced(false).build();

    /** What Ceph CSI needs to carry out a NetworkFence; a Rook cluster's values are given as examples. */
    @ConfigMapping(prefix = "pgwarden.failover.network-fence")
    public interface Settings {
        /** The CSI driver that carries out the fence, e.g. {@code rook-ceph.rbd.csi.ceph.com}. */
        Optional<String> driver();

        /** The Secret with the Ceph credentials the driver uses, e.g. {@code rook-csi-rbd-provisioner}. */
        Optional<String> secretName();

        /** Its namespace, e.g. {@code rook-ceph}. */
        Optional<String> secretNamespace();

        /** The driver's parameters; Ceph CSI needs {@code clusterID}. */
        Map<String, String> parameters();

        /**
         * Ceph CSI's {@code clusterID} parameter: environment variables cannot spell the case of a map key, so
         * {@code PGWARDEN_FAILOVER_NETWORK_FENCE_CLUSTER_ID} sets it (e.g. {@code rook-ceph}).
         */
        Optional<String> clusterId();

        /** Fence the node's InternalIPs when it has no {@code pgwarden.io/storage-client-addresses} (see above). */
        @WithDefault("false")
        boolean useInternalIp();
    }

    private final KubernetesClient client;
    private final Settings settings;

    public NetworkFenceDriver(KubernetesClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> misconfiguration(FenceTarget target) {
        if (settings.driver().isEmpty()) {
            return Optional.of("pgwarden.failover.network-fence.driver is not set (the CSI driver that carries out "
                    + "the fence, e.g. rook-ceph.rbd.csi.ceph.com)");
        }
        if (settings.secretName().isEmpty() || settings.secretNamespace().isEmpty()) {
            return Optional.of("pgwarden.failover.network-fence.secret-name and .secret-namespace must name the "
                    + "Secret the CSI driver fences with (e.g. rook-csi-rbd-provisioner in rook-ceph)");
        }
        try {
            cidrs(target);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Creates the fence; one that asks for anything else (Unfenced, other addresses) is replaced, not changed. */
    @Override
    public void fence(FenceTarget target) {
        misconfiguration(target).ifPresent(problem -> {
            throw new IllegalStateException(problem);
        });
        Map<String, Object> wanted = NetworkFences.spec(settings.driver().orElseThrow(), cidrs(target),
                settings.secretName().orElseThrow(), settings.secretNamespace().orElseThrow(), parameters());
        String name = NetworkFences.name(target.node());
        GenericKubernetesResource existing = fences().withName(name).get();
        if (existing != null && existing.getMetadata().getDeletionTimestamp() == null
                && NetworkFences.asksFor(spec(existing).orElse(Map.of()), wanted)) {
            return;
        }
        if (existing != null) {
            // A status has no observed generation: only a fresh object's Succeeded is sure to be this fence's.
            fences().withName(name).delete();
        }
        fences().resource(new GenericKubernetesResourceBuilder().withApiVersion("csiaddons.openshift.io/v1alpha1")
                .withKind("NetworkFence").withNewMetadata().withName(name)
                .addToLabels("app.kubernetes.io/managed-by", "pgwarden").addToAnnotations("pgwarden.io/node",
                        target.node()).endMetadata().addToAdditionalProperties("spec", wanted).build()).create();
    }

    @Override
    public FenceStatus status(FenceTarget target) {
        List<String> wanted;
        try {
            wanted = cidrs(target);
        } catch (IllegalArgumentException e) {
            return FenceStatus.of(FenceStatus.State.FAILED, e.getMessage());
        }
        String name = NetworkFences.name(target.node());
        GenericKubernetesResource fence = fences().withName(name).get();
        return NetworkFences.read(name, fence == null ? Optional.empty() : spec(fence), status(fence), wanted);
    }

    /**
     * One step towards no fence, to be called again until {@link #status} says NOT_FENCED: sets the fence Unfenced,
     * and once Ceph CSI reports the unfencing done, deletes it. A Fenced one is never deleted: deleting a
     * NetworkFence leaves the blocklist as it is (the controller only drops its finalizer).
     */
    @Override
    public void unfence(FenceTarget target, boolean powerOn) {
        String name = NetworkFences.name(target.node());
        GenericKubernetesResource fence = fences().withName(name).get();
        if (fence == null || fence.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        Map<?, ?> spec = spec(fence).orElse(Map.of());
        if (!NetworkFences.UNFENCED.equals(NetworkFences.state(spec))) {
            fences().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"fenceState\":\"" + NetworkFences.UNFENCED + "\"}}");
        } else if (NetworkFences.read(name, Optional.of(spec), status(fence), List.of()).state()
                == FenceStatus.State.NOT_FENCED) {
            fences().withName(name).delete();
        }
    }

    /** The CIDRs to fence: the node's annotation, else its InternalIPs when allowed. */
    List<String> cidrs(FenceTarget target) {
        String annotation = target.annotations().get(Names.STORAGE_ADDRESSES_ANNOTATION);
        if (annotation != null && !annotation.isBlank()) {
            try {
                return StorageCidrs.parse(annotation);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the annotation " + Names.STORAGE_ADDRESSES_ANNOTATION
                        + " of node " + target.node() + ": " + e.getMessage());
            }
        }
        if (settings.useInternalIp() && !target.internalAddresses().isEmpty()) {
            return StorageCidrs.of(target.internalAddresses());
        }
        throw new IllegalArgumentException("node " + target.node() + " has no annotation "
                + Names.STORAGE_ADDRESSES_ANNOTATION + " (the addresses its Ceph client talks from)"
                + (settings.useInternalIp() ? " and no InternalIP"
                : "; pgwarden.failover.network-fence.use-internal-ip=true fences its InternalIPs instead"));
    }

    private Map<String, String> parameters() {
        Map<String, String> parameters = new TreeMap<>(settings.parameters());
        settings.clusterId().ifPresent(id -> parameters.put("clusterID", id));
        return parameters;
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> fences() {
        return client.genericKubernetesResources(NETWORK_FENCES);
    }

    private static Optional<Map<?, ?>> spec(GenericKubernetesResource fence) {
        return Optional.of(fence.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of());
    }

    private static Map<?, ?> status(GenericKubernetesResource fence) {
        return fence != null && fence.getAdditionalProperties().get("status") instanceof Map<?, ?> m ? m : Map.of();
    }
}
