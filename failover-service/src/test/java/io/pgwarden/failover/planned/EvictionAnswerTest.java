package io.pgwarden.failover.planned;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How the adapters read a refused eviction and a budget's selector; the Status bodies as kube-apiserver words them. */
class EvictionAnswerTest {

    @Test
    void a_budget_that_allows_no_disruption_is_a_refusal_with_its_cause() {
        String body = """
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"Cannot evict pod as it would violate the pod's disruption budget.",
                 "reason":"TooManyRequests","details":{"causes":[{"reason":"DisruptionBudget",
                 "message":"The disruption budget pg needs 1 healthy pods and has 1 currently"}]},"code":429}""";
        assertThat(PlannedKind.refusal(body)).contains("HTTP 429 Cannot evict pod as it would violate the pod's"
                + " disruption budget.; The disruption budget pg needs 1 healthy pods and has 1 currently");
    }

    @Test
    void a_budget_still_being_processed_is_no_refusal_but_a_retry() {
        String body = """
                {"kind":"Status","apiVersion":"v1","status":"Failure",
                 "message":"Cannot evict pod as it would violate the pod's disruption budget.",
                 "reason":"TooManyRequests","details":{"causes":[{"reason":"DisruptionBudget",
                 "message":"The disruption budget pg is still being processed by the server."}],
                 "retryAfterSeconds":10},"code":429}""";
        assertThat(PlannedKind.refusal(body)).isEmpty();
    }

    @Test
    void a_budget_selects_the_pods_its_labels_and_expressions_match() {
        Map<String, String> labels = Map.of("app", "pg", "pgwarden.io/managed", "true");
        assertThat(PlannedWorld.selects(new LabelSelectorBuilder().addToMatchLabels("app", "pg").build(), labels))
                .isTrue();
        assertThat(PlannedWorld.selects(new LabelSelectorBuilder().addToMatchLabels("app", "other").build(), labels))
                .isFalse();
        assertThat(PlannedWorld.selects(new LabelSelectorBuilder().addNewMatchExpression().withKey("app")
                .withOperator("In").withValues("pg", "pg2").endMatchExpression().build(), labels)).isTrue();
        assertThat(PlannedWorld.selects(new LabelSelectorBuilder().addNewMatchExpression().withKey("tier")
                .withOperator("Exists").endMatchExpression().build(), labels)).isFalse();
        assertThat(PlannedWorld.selects(new LabelSelectorBuilder().build(), labels)).as("empty selects all").isTrue();
    }
}
