package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.pgwarden.sandbox.StorageNames;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Which volume a claim may bind to, as the PV controller's findBestMatchForClaim decides
 * (pkg/controller/volume/persistentvolume/index.go, util.FindMatchingVolume): a volume reserved for the claim by its
 * claimRef wins; otherwise the smallest Available volume without a claimRef, of the claim's class and volume mode,
 * offering every access mode the claim asks for and at least its size.
 */
public final class VolumeBinding {
    private VolumeBinding() {
    }

    /** A claim's data source, from dataSourceRef or else dataSource (the API server keeps both in step). */
    public record DataSource(String apiGroup, String kind, String name) {
    }

    public static Optional<DataSource> dataSource(PersistentVolumeClaim claim) {
        var ref = claim.getSpec().getDataSourceRef();
        if (ref != null) {
            return Optional.of(new DataSource(ref.getApiGroup(), ref.getKind(), ref.getName()));
        }
        var source = claim.getSpec().getDataSource();
        return source == null ? Optional.empty()
                : Optional.of(new DataSource(source.getApiGroup(), source.getKind(), source.getName()));
    }

    /** The volume has no claimRef, or one naming this claim (by name, and by uid once it has one). */
    public static boolean reservedFor(PersistentVolume volume, PersistentVolumeClaim claim) {
        var ref = volume.getSpec().getClaimRef();
        if (ref == null) {
            return true;
        }
        return claim.getMetadata().getNamespace().equals(ref.getNamespace())
                && claim.getMetadata().getName().equals(ref.getName())
                && (ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid()));
    }

    public static Optional<PersistentVolume> bestMatch(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes) {
        Optional<PersistentVolume> preBound = volumes.stream().filter(v -> v.getSpec().getClaimRef() != null)
                .filter(v -> reservedFor(v, claim)).findFirst();
        if (preBound.isPresent()) {
            return preBound;
        }
        return volumes.stream().filter(v -> v.getSpec().getClaimRef() == null)
                .filter(v -> v.getStatus() != null && "Available".equals(v.getStatus().getPhase()))
                .filter(v -> className(v.getSpec().getStorageClassName()).equals(className(claim.getSpec().getStorageClassName())))
                .filter(v -> mode(v.getSpec().getVolumeMode()).equals(mode(claim.getSpec().getVolumeMode())))
                .filter(v -> v.getSpec().getAccessModes().containsAll(claim.getSpec().getAccessModes()))
                .filter(v -> size(v.getSpec().getCapacity().get("storage")).compareTo(
                        size(claim.getSpec().getResources().getRequests().get("storage"))) >= 0)
                .min(Comparator.comparing(v -> size(v.getSpec().getCapacity().get("storage"))));
    }

    /** A claim without a class gets the default one (the DefaultStorageClass admission plugin). */
    private static String className(String name) {
        return Objects.requireNonNullElse(name, StorageNames.STORAGE_CLASS);
    }

    private static String mode(String mode) {
        return Objects.requireNonNullElse(mode, "Filesystem");
    }

    private static BigDecimal size(Quantity quantity) {
        return quantity == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(quantity);
    }
}
