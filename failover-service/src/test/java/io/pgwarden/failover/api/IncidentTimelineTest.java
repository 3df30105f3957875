package io.pgwarden.failover.api;

import io.pgwarden.contracts.event.CommandState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IncidentTimelineTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private static String at(long millis) {
        return T0.plusMillis(millis).toString();
    }

    @Test
    void each_phase_lasts_until_the_next_in_time_order_whatever_the_order_of_the_keys() {
        Map<String, String> data = Map.of("at.fenced", at(9_000), "at.suspected", at(0), "at.confirmed", at(4_500),
                "at.fencing", at(4_600), "fenceDriver", "redfish");

        List<IncidentTimeline.Entry> timeline = IncidentTimeline.of(data, null, T0.plusMillis(10_000));

        assertThat(timeline).containsExactly(
                new IncidentTimeline.Entry("suspected", T0, 4_500),
                new IncidentTimeline.Entry("confirmed", T0.plusMillis(4_500), 100),
                new IncidentTimeline.Entry("fencing", T0.plusMillis(4_600), 4_400),
                new IncidentTimeline.Entry("fenced", T0.plusMillis(9_000), 1_000));
    }

    @Test
    void the_last_phase_of_an_ended_incident_lasts_until_the_end_not_until_now() {
        Map<String, String> data = Map.of("at.suspected", at(0), "at.aborted", at(3_000));

        List<IncidentTimeline.Entry> timeline = IncidentTimeline.of(data, T0.plusMillis(3_250), T0.plusSeconds(3600));

        assertThat(timeline).extracting(IncidentTimeline.Entry::durationMillis).containsExactly(3_000L, 250L);
    }

    @Test
    void phases_entered_at_the_same_instant_keep_the_incident_order() {
        Map<String, String> data = Map.of("at.fenced", at(0), "at.releasing", at(0), "at.fencing", at(0));

        assertThat(IncidentTimeline.of(data, null, T0)).extracting(IncidentTimeline.Entry::phase)
                .containsExactly("fencing", "fenced", "releasing");
    }

    @Test
    void a_time_that_does_not_parse_is_left_out_and_a_step_back_gives_no_negative_duration() {
        Map<String, String> data = Map.of("at.suspected", at(0), "at.confirmed", "soon", "at", at(1),
                "at.fencing", at(2_000));

        assertThat(IncidentTimeline.of(data, null, T0.plusMillis(1_000))).containsExactly(
                new IncidentTimeline.Entry("suspected", T0, 2_000),
                new IncidentTimeline.Entry("fencing", T0.plusMillis(2_000), 0));
    }

    @Test
    void the_view_reads_state_outcome_databases_and_driver_from_the_operation() {
        Map<String, String> data = Map.of("at.suspected", at(0), "at.recovered", at(14_000),
                "databases", "db1/pg-a, db2/pg-b,", "fenceDriver", "network-fence",
                "recoveredAt.db1/pg-a", at(12_000), "recoveredAt.db2/pg-b", at(14_000));
        IncidentView.Row row = new IncidentView.Row("inc-1", "node003", "recovered", CommandState.SUCCEEDED,
                "wait for writes", "recovered: 2 databases accept writes", data, T0.plusMillis(120),
                T0.plusMillis(14_010));

        IncidentView view = IncidentView.of(row, T0.plusSeconds(60));

        assertThat(view.state()).isEqualTo("recovered");
        assertThat(view.outcome()).isEqualTo("recovered: 2 databases accept writes");
        assertThat(view.step()).isNull();
        assertThat(view.startedAt()).isEqualTo(T0);
        assertThat(view.endedAt()).isEqualTo(T0.plusMillis(14_010));
        assertThat(view.databases()).containsExactly("db1/pg-a", "db2/pg-b");
        assertThat(view.fenceDriver()).isEqualTo("network-fence");
        assertThat(view.recoveredAt()).containsExactly(Map.entry("db1/pg-a", T0.plusMillis(12_000)),
                Map.entry("db2/pg-b", T0.plusMillis(14_000)));
        assertThat(view.timeline()).extracting(IncidentTimeline.Entry::durationMillis).containsExactly(14_000L, 10L);
    }

    @Test
    void an_open_incident_shows_its_step_runs_to_now_and_starts_when_recorded_before_any_phase_time() {
        IncidentView.Row row = new IncidentView.Row("inc-2", "node004", "suspected", CommandState.RUNNING,
                "wait for confirmation", null, Map.of(), T0, T0);

        IncidentView view = IncidentView.of(row, T0.plusSeconds(5));

        assertThat(view.state()).isEqualTo("open");
        assertThat(view.step()).isEqualTo("wait for confirmation");
        assertThat(view.endedAt()).isNull();
        assertThat(view.startedAt()).isEqualTo(T0);
        assertThat(view.timeline()).isEmpty();
        assertThat(view.databases()).isEmpty();
    }

    @Test
    void incident_states_follow_the_operation_state_and_the_phase() {
        assertThat(IncidentState.of(CommandState.ACCEPTED, "start")).isEqualTo(IncidentState.OPEN);
        assertThat(IncidentState.of(CommandState.RUNNING, "fencing")).isEqualTo(IncidentState.OPEN);
        assertThat(IncidentState.of(CommandState.SUCCEEDED, "recovered")).isEqualTo(IncidentState.RECOVERED);
        assertThat(IncidentState.of(CommandState.SUCCEEDED, "aborted")).isEqualTo(IncidentState.ABORTED);
        assertThat(IncidentState.of(CommandState.FAILED, "failed")).isEqualTo(IncidentState.FAILED);
    }
}
