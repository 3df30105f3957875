package io.pgwarden.backup;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** This service's deciders stay plain Java: no framework, Kubernetes client, Kafka or JDBC. */
class DecisionCodeIsPureTest {

    @Test
    void deciders_do_no_io() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.pgwarden.backup.decide");
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta.enterprise..",
                "jakarta.inject..", "io.fabric8..", "org.apache.kafka..", "io.smallrye..", "java.sql..", "javax.sql..",
                "org.eclipse.microprofile..", "io.pgwarden.operations.engine..", "io.pgwarden.outbox..")
                .check(classes);
    }
}
