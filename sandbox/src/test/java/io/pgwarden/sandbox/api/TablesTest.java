package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TablesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void terminatingPodPrintsTerminatingAndNodeReadiness() throws Exception {
        var pods = JSON.readTree("{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"pg-0\","
                + "\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"deletionTimestamp\":\"2026-01-01T00:05:00Z\"},"
                + "\"spec\":{\"nodeName\":\"node001\",\"containers\":[{\"name\":\"c\"}]},"
                + "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.0.11\",\"containerStatuses\":[{\"ready\":false,"
                + "\"restartCount\":2}]}}]}");
        var table = JSON.readTree(Tables.render("pods", pods, Instant.parse("2026-01-01T00:10:00Z")));
        assertThat(table.path("rows").get(0).path("cells").toString())
                .isEqualTo("[\"pg-0\",\"0/1\",\"Terminating\",2,\"10m\",\"10.244.0.11\",\"node001\",\"<none>\",\"<none>\"]");

        var node = JSON.readTree("{\"metadata\":{\"name\":\"node001\"},\"spec\":{\"unschedulable\":true},"
                + "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\"}]}}");
        var nodeTable = JSON.readTree(Tables.render("nodes", node, Instant.now()));
        assertThat(nodeTable.path("rows").get(0).path("cells").get(1).asText()).isEqualTo("NotReady,SchedulingDisabled");
    }

    @Test
    void disruptionBudgetPrintsItsLimitsAndAllowedDisruptions() throws Exception {
        var pdb = JSON.readTree("{\"metadata\":{\"name\":\"pg\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\"},"
                + "\"spec\":{\"maxUnavailable\":0},\"status\":{\"disruptionsAllowed\":0}}");
        var table = JSON.readTree(Tables.render("poddisruptionbudgets", pdb, Instant.parse("2026-01-01T00:10:00Z")));
        assertThat(table.path("rows").get(0).path("cells").toString()).isEqualTo("[\"pg\",\"N/A\",\"0\",0,\"10m\"]");
    }
}
