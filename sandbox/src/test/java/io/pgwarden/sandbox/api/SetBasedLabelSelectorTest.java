package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SetBasedLabelSelectorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void inAndNotinAreEvaluatedAndEqualityTermsLeftToTheMock() throws Exception {
        var pod = JSON.readTree("{\"metadata\":{\"labels\":{\"tier\":\"db\",\"env\":\"prod\"}}}");
        SetBasedLabelSelector selector = SetBasedLabelSelector.parse("app=pg,tier in (db, cache),env notin (test)");
        assertThat(selector.mockTerms()).isEqualTo("app=pg");
        assertThat(selector.matches(pod)).isTrue();
        assertThat(SetBasedLabelSelector.parse("tier notin (db)").matches(pod)).isFalse();
        assertThat(SetBasedLabelSelector.parse("zone in (a)").matches(pod)).isFalse();
        assertThat(SetBasedLabelSelector.parse("app=pg,!legacy").isEmpty()).isTrue();
    }
}
