package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonMergePatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void cordonAndUncordonPatchesSetAndRemoveUnschedulable() throws Exception {
        var node = JSON.readTree("{\"spec\":{\"podCIDR\":\"10.0.0.0/24\",\"taints\":[{\"key\":\"a\"}]}}");
        var cordoned = JsonMergePatch.apply(node, JSON.readTree("{\"spec\":{\"unschedulable\":true}}"));
        assertThat(cordoned.path("spec").path("unschedulable").asBoolean()).isTrue();
        assertThat(cordoned.path("spec").path("podCIDR").asText()).isEqualTo("10.0.0.0/24");

        var uncordoned = JsonMergePatch.apply(cordoned, JSON.readTree("{\"spec\":{\"unschedulable\":null}}"));
        assertThat(uncordoned.path("spec").has("unschedulable")).isFalse();
        assertThat(uncordoned.path("spec").path("taints")).hasSize(1);
    }

    @Test
    void listsAreReplacedAndDirectivesIgnored() throws Exception {
        var target = JSON.readTree("{\"a\":[1,2],\"b\":1}");
        var patched = JsonMergePatch.apply(target, JSON.readTree("{\"a\":[3],\"$patch\":\"merge\"}"));
        assertThat(patched.toString()).isEqualTo("{\"a\":[3],\"b\":1}");
    }
}
