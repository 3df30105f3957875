package io.pgwarden.operations;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Decisions stay plain Java: the engine's core, and every service's deciders, import no framework,
 * no Kubernetes client, no Kafka and no JDBC. Adapters depend on them, never the other way.
 */
class DecisionCodeIsPureTest {
    static final String[] IO_PACKAGES = {"io.quarkus..", "jakarta.enterprise..", "jakarta.inject..",
            "io.fabric8..", "org.apache.kafka..", "io.smallrye..", "java.sql..", "javax.sql..", "io.agroal..",
            "org.eclipse.microprofile..", "io.pgwarden.operations.engine..", "io.pgwarden.outbox.."};

    @Test
    void the_engine_core_does_no_io() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.pgwarden.operations.core");
        noClasses().should().dependOnClassesThat().resideInAnyPackage(IO_PACKAGES).check(classes);
    }
}
