package io.pgwarden.watcher.health;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decision code imports no framework: Quarkus, CDI, SmallRye, Fabric8 and Kafka stay in
 * {@code io.pgwarden.watcher}. (A source scan, until the project has ArchUnit.)
 */
class DecisionCodeIsPlainJavaTest {
    private static final List<String> FRAMEWORKS = List.of("io.quarkus.", "io.smallrye.", "jakarta.", "io.fabric8.",
            "org.apache.kafka.", "io.micrometer.", "org.eclipse.microprofile.");

    @Test
    void the_health_package_imports_no_framework() throws IOException {
        Path dir = Path.of("src/main/java/io/pgwarden/watcher/health");
        List<String> imports;
        try (Stream<Path> files = Files.list(dir)) {
            imports = files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream().filter(l -> l.startsWith("import "))
                            .map(l -> f.getFileName() + ": " + l);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(imports).isNotEmpty();
        assertThat(imports).noneMatch(i -> FRAMEWORKS.stream().anyMatch(fw -> i.contains("import " + fw)
                || i.contains("import static " + fw)));
    }
}
