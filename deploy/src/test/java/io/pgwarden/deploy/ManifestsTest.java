package io.pgwarden.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the install manifests in {@code deploy/kubernetes} against the code, without a cluster: the file
 * naming (number and kind, Strimzi style), the HTTP ports and health probes of the Deployments, least-privilege
 * RBAC per service, and the Kafka topics of the contract.
 *
 * <p>The repository root comes from the system property {@code repo.root}; without it, the nearest directory
 * above the working directory that contains {@code deploy/kubernetes}.
 */
class ManifestsTest {

    /** The number prefix of each kind, as in Strimzi's install files. */
    private static final Map<String, String> NUMBER_OF_KIND = Map.ofEntries(
            Map.entry("Namespace", "000"),
            Map.entry("ServiceAccount", "010"),
            Map.entry("ClusterRole", "020"),
            Map.entry("ClusterRoleBinding", "021"),
            Map.entry("Role", "030"),
            Map.entry("RoleBinding", "031"),
            Map.entry("ConfigMap", "040"),
            Map.entry("KafkaTopic", "050"),
            Map.entry("Deployment", "060"),
            Map.entry("Service", "070"));

    /** The module a service depends on to elect a leader among its replicas (pgwarden-leader-election). */
    private static final String LEADER_ELECTION_ARTIFACT = "<artifactId>pgwarden-leader-election</artifactId>";
    private static final String OPERATIONS_ARTIFACT = "<artifactId>pgwarden-operations</artifactId>";
    /**
     * The verbs on its Lease that Fabric8's LeaderElector (LeaseLock) sends: GET, POST when missing, and a JSON merge
     * PATCH to renew and release; LeaseElectionIT checks the requests against this list.
     */
    private static final List<String> LEASE_VERBS = List.of("get", "create", "patch");
    private static final String LEASE_NAMESPACE_ENV = "PGWARDEN_LEADER_ELECTION_NAMESPACE";

    /** The one service with no Kubernetes access. */
    private static final String API_GATEWAY = "api-gateway";

    private static final Pattern FILE_NAME = Pattern.compile("(\\d{3})-([A-Za-z]+)-([a-z0-9][a-z0-9.-]*)\\.yaml");
    private static final Pattern STRING_CONSTANT =
            Pattern.compile("static\\s+final\\s+String\\s+([A-Z][A-Z0-9_]*)\\s*=\\s*\"([^\"]*)\"\\s*;");
    private static final Pattern PARTITIONS_CONSTANT =
            Pattern.compile("static\\s+final\\s+int\\s+PARTITIONS\\s*=\\s*(\\d+)\\s*;");

    private static Path root;
    /** Every manifest file, in name order, with its documents (empty when it did not parse). */
    private static final Map<Path, List<JsonNode>> FILES = new LinkedHashMap<>();
    private static final Map<Path, String> PARSE_ERRORS = new LinkedHashMap<>();

    @BeforeAll
    static void readManifests() throws IOException {
        root = repositoryRoot();
        YAMLMapper yaml = new YAMLMapper();
        List<Path> paths;
        try (Stream<Path> list = Files.list(root.resolve("deploy/kubernetes"))) {
            paths = list.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path path : paths) {
            List<JsonNode> documents = new ArrayList<>();
            try (Reader reader = Files.newBufferedReader(path);
                 MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(reader)) {
                while (docs.hasNextValue()) {
                    JsonNode doc = docs.nextValue();
                    if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                        documents.add(doc);
                    }
                }
            } catch (IOException | RuntimeException e) {
                PARSE_ERRORS.put(path, e.getMessage());
            }
            FILES.put(path, documents);
        }
    }

    @Test
    void everyFileParsesAsOneKubernetesObject() {
        assertThat(FILES).as("manifests in %s", root.resolve("deploy/kubernetes")).isNotEmpty();
        assertThat(PARSE_ERRORS).as("files that do not parse").isEmpty();
        SoftAssertions soft = new SoftAssertions();
        FILES.forEach((path, docs) -> {
            soft.assertThat(docs).as("%s: objects in the file", name(path)).hasSize(1);
            docs.forEach(doc -> {
                soft.assertThat(text(doc, "apiVersion")).as("%s: apiVersion", name(path)).isNotBlank();
                soft.assertThat(text(doc, "kind")).as("%s: kind", name(path)).isNotBlank();
                soft.assertThat(text(doc.path("metadata"), "name")).as("%s: metadata.name", name(path)).isNotBlank();
            });
        });
        soft.assertAll();
    }

    @Test
    void fileNameNumberAndKindMatchTheObject() {
        SoftAssertions soft = new SoftAssertions();
        FILES.forEach((path, docs) -> {
            Matcher m = FILE_NAME.matcher(name(path));
            if (!m.matches()) {
                soft.fail("%s: not named NNN-Kind-name.yaml", name(path));
                return;
            }
            for (JsonNode doc : docs) {
                String kind = text(doc, "kind");
                if (kind == null) {
                    soft.fail("%s: no kind", name(path));
                    continue;
                }
                soft.assertThat(m.group(2)).as("%s: kind in the file name", name(path)).isEqualTo(kind);
                soft.assertThat(NUMBER_OF_KIND).as("%s: number prefixes known for kinds", name(path)).containsKey(kind);
                soft.assertThat(m.group(1)).as("%s: number prefix of a %s", name(path), kind)
                        .isEqualTo(NUMBER_OF_KIND.get(kind));
            }
        });
        soft.assertAll();
    }

    @Test
    void deploymentsListenOnTheServicesHttpPort() {
        List<JsonNode> deployments = objects("Deployment");
        assertThat(deployments).isNotEmpty();
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode deployment : deployments) {
            String service = name(deployment);
            int port = httpPort(service);
            List<JsonNode> containers = list(deployment.path("spec").path("template").path("spec").path("containers"));
            soft.assertThat(containers).as("%s: containers", service).isNotEmpty();
            for (JsonNode container : containers) {
                List<Integer> ports = list(container.path("ports")).stream()
                        .map(p -> p.path("containerPort").asInt(-1)).toList();
                soft.assertThat(ports).as("%s: container ports (quarkus.http.port=%d)", service, port)
                        .isNotEmpty().containsOnly(port);
            }
        }
        soft.assertAll();
    }

    @Test
    void servicesPointAtTheirDeploymentsHttpPort() {
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode service : objects("Service")) {
            String name = name(service);
            String selected = text(service.path("spec").path("selector"), "app.kubernetes.io/name");
            soft.assertThat(selected).as("Service %s selects the Deployment of the same name", name).isEqualTo(name);
            int port = httpPort(name);
            for (JsonNode p : list(service.path("spec").path("ports"))) {
                soft.assertThat(p.path("port").asInt(-1)).as("Service %s: port", name).isEqualTo(port);
                soft.assertThat(p.path("targetPort").asText())
                        .as("Service %s: targetPort", name).isIn("http", String.valueOf(port));
            }
        }
        soft.assertAll();
    }

    @Test
    void deploymentsHaveReadinessAndLivenessProbesOnQuarkusHealth() {
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode deployment : objects("Deployment")) {
            String service = name(deployment);
            String port = String.valueOf(httpPort(service));
            for (JsonNode container : list(deployment.path("spec").path("template").path("spec").path("containers"))) {
                JsonNode readiness = container.path("readinessProbe").path("httpGet");
                JsonNode liveness = container.path("livenessProbe").path("httpGet");
                soft.assertThat(readiness.path("path").asText()).as("%s: readiness probe path", service)
                        .isEqualTo("/q/health/ready");
                soft.assertThat(liveness.path("path").asText()).as("%s: liveness probe path", service)
                        .isEqualTo("/q/health/live");
                soft.assertThat(readiness.path("port").asText()).as("%s: readiness probe port", service)
                        .isIn("http", port);
                soft.assertThat(liveness.path("port").asText()).as("%s: liveness probe port", service)
                        .isIn("http", port);
            }
        }
        soft.assertAll();
    }

    @Test
    void servicesThatUseKubernetesRunAsTheirOwnAccountBoundToTheirOwnRoles() {
        List<JsonNode> bindings = new ArrayList<>(objects("ClusterRoleBinding"));
        bindings.addAll(objects("RoleBinding"));
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode deployment : objects("Deployment")) {
            String service = name(deployment);
            if (service.equals(API_GATEWAY)) {
                continue;
            }
            String namespace = namespace(deployment);
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            soft.assertThat(text(pod, "serviceAccountName")).as("%s: serviceAccountName", service).isEqualTo(service);
            soft.assertThat(pod.path("automountServiceAccountToken").asBoolean(true))
                    .as("%s: token mounted", service).isTrue();
            soft.assertThat(objects("ServiceAccount").stream()
                            .anyMatch(sa -> name(sa).equals(service) && Objects.equals(namespace(sa), namespace)))
                    .as("%s: ServiceAccount %s/%s in the manifests", service, namespace, service).isTrue();

            List<JsonNode> own = bindings.stream().filter(b -> bindsAccount(b, namespace, service)).toList();
            soft.assertThat(own).as("%s: bindings of its ServiceAccount", service).isNotEmpty();
            for (JsonNode binding : own) {
                String what = text(binding, "kind") + " " + name(binding);
                soft.assertThat(list(binding.path("subjects"))).as("%s: subjects (one account per binding)", what)
                        .hasSize(1);
                String roleKind = text(binding.path("roleRef"), "kind");
                String role = text(binding.path("roleRef"), "name");
                soft.assertThat(role).as("%s: role of %s", what, service)
                        .matches("pgwarden-" + service + "(-[a-z0-9-]+)?");
                boolean exists = objects(roleKind).stream().anyMatch(r -> name(r).equals(role)
                        && (roleKind.equals("ClusterRole") || Objects.equals(namespace(r), namespace(binding))));
                soft.assertThat(exists).as("%s: %s %s in the manifests", what, roleKind, role).isTrue();
            }
        }
        soft.assertAll();
    }

    @Test
    void servicesThatElectALeaderCanHoldTheirLeaseInTheirNamespace() {
        List<JsonNode> electing = objects("Deployment").stream().filter(d -> electsLeader(name(d))).toList();
        assertThat(electing).as("Deployments of services that depend on pgwarden-leader-election").isNotEmpty();
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode deployment : electing) {
            String service = name(deployment);
            String namespace = namespace(deployment);
            String lease = leaseName(service);
            for (JsonNode container : list(deployment.path("spec").path("template").path("spec").path("containers"))) {
                JsonNode env = list(container.path("env")).stream()
                        .filter(e -> LEASE_NAMESPACE_ENV.equals(text(e, "name"))).findFirst().orElse(null);
                soft.assertThat(env).as("%s: env %s", service, LEASE_NAMESPACE_ENV).isNotNull();
                if (env != null) {
                    soft.assertThat(text(env.path("valueFrom").path("fieldRef"), "fieldPath"))
                            .as("%s: %s from the downward API", service, LEASE_NAMESPACE_ENV)
                            .isEqualTo("metadata.namespace");
                }
            }
            List<JsonNode> leaseRules = objects("RoleBinding").stream()
                    .filter(b -> Objects.equals(namespace(b), namespace) && bindsAccount(b, namespace, service)
                            && "Role".equals(text(b.path("roleRef"), "kind")))
                    .flatMap(b -> objects("Role").stream().filter(r -> Objects.equals(namespace(r), namespace)
                            && name(r).equals(text(b.path("roleRef"), "name"))))
                    .flatMap(r -> list(r.path("rules")).stream())
                    .filter(rule -> values(rule, "apiGroups").contains("coordination.k8s.io")
                            && values(rule, "resources").contains("leases"))
                    .toList();
            for (String verb : LEASE_VERBS) {
                boolean granted = leaseRules.stream().anyMatch(rule -> values(rule, "verbs").contains(verb)
                        && (values(rule, "resourceNames").isEmpty()
                        || !verb.equals("create") && values(rule, "resourceNames").contains(lease)));
                soft.assertThat(granted).as("%s: Role in %s grants %s on Lease %s", service, namespace, verb, lease)
                        .isTrue();
            }
        }
        soft.assertAll();
    }

    @Test
    void onlyServicesThatElectALeaderRunMoreThanOneReplica() {
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode deployment : objects("Deployment")) {
            String service = name(deployment);
            if (!electsLeader(service)) {
                soft.assertThat(deployment.path("spec").path("replicas").asInt(1))
                        .as("%s: replicas (no leader election, so every replica would act)", service)
                        .isLessThanOrEqualTo(1);
            }
        }
        soft.assertAll();
    }

    @Test
    void noRoleGrantsWildcards() {
        List<JsonNode> roles = new ArrayList<>(objects("ClusterRole"));
        roles.addAll(objects("Role"));
        assertThat(roles).isNotEmpty();
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode role : roles) {
            String what = text(role, "kind") + " " + name(role);
            List<JsonNode> rules = list(role.path("rules"));
            soft.assertThat(rules).as("%s: rules", what).isNotEmpty();
            for (JsonNode rule : rules) {
                for (String field : List.of("verbs", "resources", "apiGroups")) {
                    List<String> values = list(rule.path(field)).stream().map(JsonNode::asText).toList();
                    soft.assertThat(values).as("%s: %s", what, field).doesNotContain("*");
                    if (!field.equals("apiGroups")) {
                        soft.assertThat(values).as("%s: %s", what, field).isNotEmpty();
                    }
                }
                soft.assertThat(rule.has("nonResourceURLs")).as("%s: nonResourceURLs", what).isFalse();
            }
        }
        soft.assertAll();
    }

    @Test
    void apiGatewayHasNoKubernetesAccess() {
        JsonNode gateway = objects("Deployment").stream().filter(d -> name(d).equals(API_GATEWAY)).findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment " + API_GATEWAY));
        JsonNode pod = gateway.path("spec").path("template").path("spec");
        assertThat(pod.path("automountServiceAccountToken").isBoolean()
                && !pod.path("automountServiceAccountToken").booleanValue())
                .as("api-gateway pod spec: automountServiceAccountToken: false").isTrue();
        String account = pod.path("serviceAccountName").asText("default");
        List<JsonNode> bindings = new ArrayList<>(objects("ClusterRoleBinding"));
        bindings.addAll(objects("RoleBinding"));
        assertThat(bindings.stream().filter(b -> bindsAccount(b, namespace(gateway), account)).map(ManifestsTest::name))
                .as("bindings of api-gateway's ServiceAccount %s", account).isEmpty();
    }

    @Test
    void kafkaTopicsAreTheContractTopics() throws IOException {
        String source = Files.readString(
                root.resolve("contracts/src/main/java/io/pgwarden/contracts/Topics.java"));
        Set<String> contract = new TreeSet<>();
        Matcher constants = STRING_CONSTANT.matcher(source);
        while (constants.find()) {
            contract.add(constants.group(2));
        }
        assertThat(contract).as("String constants in Topics.java").hasSize(6);
        Matcher partitions = PARTITIONS_CONSTANT.matcher(source);
        assertThat(partitions.find()).as("int constant PARTITIONS in Topics.java").isTrue();
        int expectedPartitions = Integer.parseInt(partitions.group(1));

        List<JsonNode> topics = objects("KafkaTopic");
        List<String> names = topics.stream()
                .map(t -> t.path("spec").path("topicName").asText(name(t))).toList();
        assertThat(names).as("KafkaTopic topic names").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(contract);

        SoftAssertions soft = new SoftAssertions();
        for (JsonNode topic : topics) {
            String name = name(topic);
            soft.assertThat(text(topic, "apiVersion")).as("%s: apiVersion", name).isEqualTo("kafka.strimzi.io/v1beta2");
            soft.assertThat(text(topic.path("metadata").path("labels"), "strimzi.io/cluster"))
                    .as("%s: Kafka cluster", name).isEqualTo("pgwarden");
            soft.assertThat(topic.path("spec").path("partitions").asInt(-1))
                    .as("%s: partitions (Topics.PARTITIONS)", name).isEqualTo(expectedPartitions);
            soft.assertThat(text(topic.path("spec").path("config"), "cleanup.policy"))
                    .as("%s: cleanup.policy", name).isEqualTo("delete");
        }
        soft.assertAll();
    }

    // --- helpers ---

    private static Path repositoryRoot() {
        String property = System.getProperty("repo.root");
        if (property != null && !property.isBlank()) {
            return Paths.get(property).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/kubernetes"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no deploy/kubernetes above " + Paths.get("").toAbsolutePath()
                + "; set -Drepo.root");
    }

    /** quarkus.http.port of a service, from its application.properties. */
    private static int httpPort(String service) {
        String port = properties(service).getProperty("quarkus.http.port");
        assertThat(port).as("quarkus.http.port in %s's application.properties", service).isNotNull();
        return Integer.parseInt(port.trim());
    }

    private static Properties properties(String service) {
        Path file = root.resolve(service).resolve("src/main/resources/application.properties");
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("no application.properties for service " + service + ": " + file, e);
        }
        return properties;
    }

    /**
     * Whether the service elects a leader: its module depends on pgwarden-leader-election, or on the operation
     * engine (pgwarden-operations), which runs operations only on the leader.
     */
    private static boolean electsLeader(String service) {
        Path pom = root.resolve(service).resolve("pom.xml");
        try {
            String text = Files.readString(pom);
            return text.contains(LEADER_ELECTION_ARTIFACT) || text.contains(OPERATIONS_ARTIFACT);
        } catch (IOException e) {
            throw new UncheckedIOException("no pom.xml for service " + service + ": " + pom, e);
        }
    }

    /** The Lease a service competes for: pgwarden.leader-election.lease-name, by default pgwarden.service. */
    private static String leaseName(String service) {
        Properties properties = properties(service);
        String lease = properties.getProperty("pgwarden.leader-election.lease-name",
                properties.getProperty("pgwarden.service"));
        assertThat(lease).as("pgwarden.service in %s's application.properties", service).isNotNull();
        return lease.trim();
    }

    private static List<String> values(JsonNode node, String field) {
        return list(node.path(field)).stream().map(JsonNode::asText).toList();
    }

    private static List<JsonNode> objects(String kind) {
        return FILES.values().stream().flatMap(List::stream)
                .filter(doc -> kind != null && kind.equals(text(doc, "kind"))).toList();
    }

    private static boolean bindsAccount(JsonNode binding, String namespace, String account) {
        return list(binding.path("subjects")).stream().anyMatch(s -> "ServiceAccount".equals(text(s, "kind"))
                && account.equals(text(s, "name")) && Objects.equals(namespace, text(s, "namespace")));
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String name(JsonNode object) {
        return text(object.path("metadata"), "name");
    }

    private static String namespace(JsonNode object) {
        return text(object.path("metadata"), "namespace");
    }

    private static String name(Path path) {
        return path.getFileName().toString();
    }
}
