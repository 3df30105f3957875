package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FieldSelectorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void nodeNameAndPhaseRequirementsAreEvaluatedOnTheObject() throws Exception {
        var pod = JSON.readTree("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"nodeName\":\"node001\"},"
                + "\"status\":{\"phase\":\"Running\"}}");
        assertThat(FieldSelector.parse("spec.nodeName=node001").matches(pod)).isTrue();
        assertThat(FieldSelector.parse("spec.nodeName==node002").matches(pod)).isFalse();
        assertThat(FieldSelector.parse("spec.nodeName=node001,status.phase!=Running").matches(pod)).isFalse();
        assertThat(FieldSelector.parse("spec.nodeName=").matches(JSON.readTree("{\"spec\":{}}"))).isTrue();
    }

    @Test
    void metadataTermsAreLeftToTheMock() {
        assertThat(FieldSelector.parse("metadata.name=a").isEmpty()).isTrue();
        assertThat(FieldSelector.mockTerms("metadata.name=a,spec.nodeName=b")).isEqualTo("metadata.name=a");
    }
}
