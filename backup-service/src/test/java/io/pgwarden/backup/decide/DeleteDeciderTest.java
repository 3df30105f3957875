package io.pgwarden.backup.decide;

import io.pgwarden.backup.rbd.RbdImage;
import io.pgwarden.backup.rbd.RbdStep;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.Transitions;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.backup.decide.BackupDeciderTest.SETTINGS;
import static io.pgwarden.backup.decide.BackupDeciderTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

class DeleteDeciderTest {
    static final String ID = "pg-20261127-101500";

    static Operation accepted() {
        return new Operation("op-2", 2, "DeleteBackup", "default/pg", "io.pgwarden.DeleteBackup", "op-2", new byte[0],
                Operation.START, Map.of(), CommandState.ACCEPTED, null, null, 0, T0, null, null, null, 1, T0, T0);
    }

    static DeleteView view(String phase, boolean last, List<String> snapshots) {
        return new DeleteView(Optional.of(new DeleteView.BackupRow(ID, "default", "pg", phase)), last, snapshots);
    }

    static Decision<BackupAction> decide(Operation op, boolean evenTheLastGood, DeleteView view, Instant now) {
        return DeleteDecider.decide(op, new DeleteBackup("default", "pg", ID, evenTheLastGood, null), view, now,
                SETTINGS);
    }

    @Test
    void unknown_running_deleted_and_the_last_good_backup_are_refused() {
        Decision<BackupAction> d = decide(accepted(), false, new DeleteView(Optional.empty(), false, List.of()), T0);
        assertThat(d.next()).isEqualTo(Decision.Next.REJECT);
        assertThat(d.outcome()).isEqualTo("no backup " + ID + " in the catalog: GET /api/v1/clusters/default/pg/backups"
                + " lists the backups of default/pg");
        assertThat(decide(accepted(), false, view("running", false, List.of()), T0).outcome())
                .isEqualTo("backup " + ID + " is still running: wait until it ends");
        assertThat(decide(accepted(), true, view("deleted", false, List.of()), T0).outcome())
                .isEqualTo("backup " + ID + " is deleted already");
        assertThat(decide(accepted(), false, view("completed", true, List.of()), T0).outcome())
                .isEqualTo("backup " + ID + " is the last completed backup of default/pg: take another first, or ask"
                        + " again with evenTheLastGood=true");
        assertThat(decide(accepted(), false, new DeleteView(Optional.of(new DeleteView.BackupRow(ID, "default", "other",
                "completed")), false, List.of()), T0).outcome()).isEqualTo("backup " + ID + " is of default/other,"
                + " not of default/pg");
    }

    @Test
    void a_deletion_deletes_the_snapshots_waits_until_they_are_gone_and_marks_the_backup_deleted() {
        Operation op = accepted();
        Decision<BackupAction> d = decide(op, true, view("completed", true, List.of("s1")), T0);
        assertThat(d.phase()).isEqualTo(DeleteDecider.DELETING);
        assertThat(d.actions()).containsExactly(new BackupAction.DeleteSnapshots("default", ID));
        op = Transitions.decided(op, d, T0).operation();
        d = decide(op, true, view("completed", true, List.of("s1")), T0.plusSeconds(1));
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        d = decide(op, true, view("completed", true, List.of()), T0.plusSeconds(2));
        assertThat(d.phase()).isEqualTo(DeleteDecider.DELETED);
        assertThat(d.actions()).containsExactly(new BackupAction.RecordDeleted(ID));
        op = Transitions.decided(op, d, T0.plusSeconds(2)).operation();
        d = decide(op, true, view("deleted", false, List.of()), T0.plusSeconds(2));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("deleted backup " + ID + " of default/pg: its snapshots are gone, its"
                + " catalog entry is marked deleted");

        Decision<BackupAction> stuck = decide(Transitions.decided(accepted(), decide(accepted(), false,
                view("failed", false, List.of("s1")), T0), T0).operation(), false, view("failed", false,
                List.of("s1")), T0.plusSeconds(31));
        assertThat(stuck.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(stuck.outcome()).contains("snapshots s1 still exist after PT30S");
    }

    static DeleteView rbdView(Map<String, String> remaining, List<String> failures) {
        return new DeleteView(Optional.of(new DeleteView.BackupRow(ID, "default", "pg", "completed", "rbd")), false,
                List.copyOf(remaining.values()), remaining, failures);
    }

    @Test
    void an_rbd_backup_is_deleted_by_rbd_snap_rm_of_each_snapshot_its_catalog_rows_name() {
        String spec = "replicapool/csi-vol-1@" + ID + "-data-pg-0";
        Operation op = accepted();
        Decision<BackupAction> d = decide(op, false, rbdView(Map.of("data-pg-0", spec), List.of()), T0);
        assertThat(d.phase()).isEqualTo(DeleteDecider.DELETING);
        assertThat(d.step()).endsWith("rbd snap rm " + spec);
        RbdStep rm = RbdStep.removeSnapshot(ID, "data-pg-0", RbdImage.ofSnapshotSpec(spec));
        assertThat(rm.snapshotSpec()).isEqualTo(spec);
        assertThat(d.actions()).containsExactly(new BackupAction.RemoveRbdSnapshots(List.of(rm)));
        op = Transitions.decided(op, d, T0).operation();
        d = decide(op, false, rbdView(Map.of("data-pg-0", spec), List.of()), T0.plusSeconds(1));
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.actions()).containsExactly(new BackupAction.RemoveRbdSnapshots(List.of(rm)));
        d = decide(op, false, rbdView(Map.of(), List.of()), T0.plusSeconds(2));
        assertThat(d.phase()).isEqualTo(DeleteDecider.DELETED);

        Decision<BackupAction> failed = decide(op, false, rbdView(Map.of("data-pg-0", spec), List.of("rbd snap rm "
                + spec + " failed with exit code 16: rbd: snapshot is protected")), T0.plusSeconds(2));
        assertThat(failed.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(failed.outcome()).contains("exit code 16").contains("the backup is not marked deleted");
    }
}
