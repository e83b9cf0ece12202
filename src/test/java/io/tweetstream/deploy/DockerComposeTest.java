package io.tweetstream.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.micrometer.prometheus.MicrometerPrometheus;
import io.tweetstream.kafka.KafkaTopics;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml, the Dockerfile and the files they mount agree with the app's configuration
 * and exist in the repository. This machine has no Docker engine: these checks are what keeps
 * {@code docker compose up} working. Each guards against a mistake one makes when editing one
 * file and not the other.
 */
class DockerComposeTest {

    private static final Path ROOT = Path.of("");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)[^}]*}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)(?::([^}]*))?}}");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|SECRET|TOKEN|JAAS|_KEY$).*");

    private final String composeText = read("docker-compose.yml");
    private final Map<String, Object> compose = yaml(composeText);
    private final Map<String, Object> services = map(compose.get("services"));
    private final Properties properties = applicationProperties();
    private final Dockerfile dockerfile = Dockerfile.parse(read("Dockerfile"));

    @Test
    void everyServiceRunsAPinnedImageOrAnImageBuiltFromTheRepository() {
        assertThat(services).containsKeys("kafka", "kafka-topics", "tweetstream", "prometheus", "grafana");
        services.forEach((name, definition) -> {
            Map<String, Object> service = map(definition);
            if (service.containsKey("build")) {
                Object build = service.get("build");
                String context = build instanceof Map<?, ?> b ? String.valueOf(b.get("context")) : String.valueOf(build);
                String file = build instanceof Map<?, ?> b && b.get("dockerfile") != null ? String.valueOf(b.get("dockerfile")) : "Dockerfile";
                assertThat(ROOT.resolve(context).resolve(file)).as("Dockerfile of %s", name).isRegularFile();
            } else {
                String image = String.valueOf(service.get("image"));
                assertThat(image).as("image of %s", name).matches("[\\w./-]+:[\\w.-]+").doesNotEndWith(":latest");
            }
        });
        assertThat(appServices()).as("services built from the repository").contains("tweetstream");
    }

    @Test
    void kafkaIsTheOfficialImageOfThe39LineInKraftModeWithoutZookeeper() {
        for (String name : List.of("kafka", "kafka-topics")) {
            assertThat(image(name)).as(name).startsWith("apache/kafka:3.9.");
        }
        Map<String, String> kafka = environment("kafka");
        assertThat(kafka.get("KAFKA_PROCESS_ROLES")).contains("broker").contains("controller");
        assertThat(kafka).containsKeys("KAFKA_NODE_ID", "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_CONTROLLER_LISTENER_NAMES");
        services.forEach((name, definition) -> {
            assertThat(name + " " + image(name)).as("service %s", name).doesNotContainIgnoringCase("zookeeper");
            assertThat(environment(name).keySet()).as("environment of %s", name).noneMatch(key -> key.contains("ZOOKEEPER"));
        });
        // the Kafka client the app is built with is of the same line
        assertThat(read("pom.xml")).contains("<kafka.version>3.9.");
    }

    @Test
    void theImageIsBuiltInStagesAndRunsAsANonRootUser() {
        assertThat(dockerfile.stages()).as("FROM lines").hasSizeGreaterThanOrEqualTo(2);
        assertThat(dockerfile.stages().get(0).instructions()).anyMatch(line -> line.matches("RUN mvn .*package.*"));
        Dockerfile.Stage runtime = dockerfile.runtime();
        assertThat(runtime.from()).contains("jre");
        String user = runtime.last("USER").orElseThrow(() -> new AssertionError("the runtime stage sets no USER: it runs as root"));
        assertThat(user.split(":")[0]).as("USER").isNotIn("root", "0");
        assertThat(runtime.last("ENTRYPOINT").orElseThrow()).contains("tweetstream.jar");
    }

    @Test
    void theAppsPublishedPortIsTheOneItListensOnBeyondLoopback() {
        for (String app : appServices()) {
            Map<String, String> env = effectiveEnvironment(app);
            String port = setting(env, "camel.server.port");
            for (Object mapping : list(map(services.get(app)).get("ports"))) {
                String containerPort = port(String.valueOf(mapping)).replace("/tcp", "");
                assertThat(containerPort).as("container port of %s (%s)", app, mapping).isEqualTo(port);
            }
            assertThat(setting(env, "camel.server.host")).as("CAMEL_SERVER_HOST of %s", app)
                    .isNotIn("127.0.0.1", "localhost", "::1");
        }
        assertThat(map(services.get("tweetstream")).get("ports")).as("tweetstream publishes its HTTP port").isNotNull();
    }

    @Test
    void theAppAndTheTopicCreationConnectToAnAdvertisedKafkaListenerOfTheirProtocol() {
        Map<String, String> kafka = environment("kafka");
        Map<String, String> advertised = listeners(kafka.get("KAFKA_ADVERTISED_LISTENERS"));
        Map<String, String> bound = listeners(kafka.get("KAFKA_LISTENERS"));
        Map<String, String> protocols = pairs(kafka.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"));

        Map<String, String> clients = new LinkedHashMap<>();
        for (String app : appServices()) {
            clients.put(app, setting(effectiveEnvironment(app), "kafka.brokers"));
        }
        clients.put("kafka-topics", bootstrapServerIn(command("kafka-topics")));
        clients.forEach((client, brokers) -> {
            assertThat(brokers).as("Kafka address of %s", client).isNotBlank();
            for (String broker : brokers.split(",")) {
                String listener = advertised.entrySet().stream().filter(e -> e.getValue().equals(broker.strip()))
                        .map(Map.Entry::getKey).findFirst()
                        .orElseThrow(() -> new AssertionError(client + " connects to " + broker
                                + ", which Kafka does not advertise: " + advertised));
                assertThat(broker).as("%s connects by the kafka service name", client).startsWith("kafka:");
                assertThat(port(bound.get(listener))).as("listener %s is bound on the advertised port", listener)
                        .isEqualTo(port(broker));
                String protocol = appServices().contains(client)
                        ? setting(effectiveEnvironment(client), "kafka.security-protocol") : "PLAINTEXT";
                assertThat(protocols.get(listener)).as("security protocol of listener %s used by %s", listener, client)
                        .isEqualTo(protocol);
            }
        });
        String healthcheck = String.join(" ", list(map(map(services.get("kafka")).get("healthcheck")).get("test")));
        assertThat(bound.values().stream().map(DockerComposeTest::port)).as("the healthcheck asks a bound listener")
                .contains(port(bootstrapServerIn(healthcheck)));
    }

    @Test
    void theAppStartsOnceKafkaIsReadyAndItsTopicsExist() {
        assertThat(map(services.get("kafka")).get("healthcheck")).as("kafka healthcheck").isNotNull();
        assertThat(dependsOn("kafka-topics")).containsEntry("kafka", "service_healthy");
        for (String app : appServices()) {
            assertThat(dependsOn(app)).as("depends_on of %s", app)
                    .containsEntry("kafka", "service_healthy")
                    .containsEntry("kafka-topics", "service_completed_successfully");
        }
    }

    @Test
    void theTopicServiceCreatesEveryTopicTheAppUsesWithItsPartitions() {
        String command = command("kafka-topics");
        List<KafkaTopics.TopicSpec> created = new ArrayList<>();
        Matcher matcher = Pattern.compile("--create\\b.*?--topic\\s+(\\S+)\\s+--partitions\\s+(\\d+)([^\\n]*)")
                .matcher(command);
        while (matcher.find()) {
            created.add(new KafkaTopics.TopicSpec(matcher.group(1), Integer.parseInt(matcher.group(2)),
                    matcher.group(3).contains("--config cleanup.policy=compact")));
        }
        assertThat(command).contains("kafka-topics.sh");
        for (String app : appServices()) {
            assertThat(created).as("topics created for %s (partitions, compaction)", app)
                    .containsExactlyInAnyOrderElementsOf(topicsTheAppUses(effectiveEnvironment(app)));
        }
    }

    @Test
    void everyVariableGivenToTheAppIsASettingOfTheApp() {
        String configurationDoc = read("docs/configuration.md");
        Set<String> variables = new TreeSet<>();
        for (String app : appServices()) {
            variables.addAll(environment(app).keySet());
        }
        Set<String> settings = new LinkedHashSet<>();
        properties.stringPropertyNames().forEach(key -> settings.add(variable(key)));
        assertThat(variables).isNotEmpty().allSatisfy(variable -> assertThat(settings.contains(variable)
                || configurationDoc.contains("| `" + variable + "` |"))
                .as("%s is a key of application.properties or a variable of docs/configuration.md", variable).isTrue());
    }

    @Test
    void mountedFilesExistAndLandWhereTheContainersReadThem() {
        services.forEach((name, definition) -> {
            for (String[] mount : mounts(name)) {
                assertThat(ROOT.resolve(mount[0])).as("%s mounts %s", name, mount[0]).exists();
            }
        });
        String workdir = dockerfile.runtime().last("WORKDIR").orElseThrow();
        String routesDir = properties.getProperty("camel.main.routes-include-pattern")
                .replaceFirst("^file:", "").replaceFirst("/[^/]*$", "");
        for (String app : appServices()) {
            Map<String, String> targets = new LinkedHashMap<>();
            mounts(app).forEach(mount -> targets.put(normalize(mount[0]), mount[1]));
            assertThat(targets).as("mounts of %s", app)
                    .containsEntry(routesDir, workdir + "/" + routesDir)
                    .containsEntry("application.properties", workdir + "/application.properties");
            assertThat(properties.getProperty("camel.main.routes-reload-directory")).isEqualTo(routesDir);
        }
        assertThat(setting(effectiveEnvironment("tweetstream"), "camel.main.routes-reload-enabled"))
                .as("route edits apply live in the compose setup").isEqualTo("true");
    }

    @Test
    void prometheusScrapesTheAppServiceAtItsPortAndMetricsPath() {
        String config = mountTarget("prometheus", "observability/prometheus.yml");
        assertThat(config).isEqualTo("/etc/prometheus/prometheus.yml");
        Map<String, Object> prometheus = yaml(read("observability/prometheus.yml"));
        String metricsPath = properties.getProperty("camel.metrics.path", new MicrometerPrometheus().getPath());
        assertThat(properties.getProperty("camel.management.metrics-enabled")).isEqualTo("true");

        List<String> targets = new ArrayList<>();
        for (Object job : list(prometheus.get("scrape_configs"))) {
            Map<String, Object> scrape = map(job);
            assertThat(scrape.get("metrics_path")).as("metrics_path").isEqualTo(metricsPath);
            for (Object staticConfig : list(scrape.get("static_configs"))) {
                targets.addAll(list(map(staticConfig).get("targets")));
            }
        }
        assertThat(targets).contains("tweetstream:" + setting(effectiveEnvironment("tweetstream"), "camel.server.port"));
    }

    @Test
    void prometheusLoadsTheAlertRulesItsConfigurationNames() {
        String config = mountTarget("prometheus", "observability/prometheus.yml");
        String configDir = config.substring(0, config.lastIndexOf('/'));
        List<String> ruleFiles = list(yaml(read("observability/prometheus.yml")).get("rule_files"));
        assertThat(ruleFiles).as("rule_files of observability/prometheus.yml").isNotEmpty();
        for (String ruleFile : ruleFiles) {
            // relative to the configuration file, as Prometheus reads them
            String target = ruleFile.startsWith("/") ? ruleFile : configDir + "/" + ruleFile;
            String source = mountSource("prometheus", target);
            assertThat(ROOT.resolve(source)).as("rule file %s (from %s)", target, source).isRegularFile();
        }
        assertThat(mountTarget("prometheus", "observability/alerts.yml")).isEqualTo(configDir + "/alerts.yml");
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusDatasourceAndTheDashboard() throws IOException {
        String provisioning = environment("grafana").getOrDefault("GF_PATHS_PROVISIONING", "/etc/grafana/provisioning");
        String provisioningSource = mountSource("grafana", provisioning);

        Map<String, Object> datasources = yaml(read(provisioningSource + "/datasources/prometheus.yml"));
        Map<String, Object> datasource = map(list(datasources.get("datasources")).get(0));
        assertThat(datasource.get("url")).as("datasource url").isEqualTo("http://prometheus:9090");

        Map<String, Object> providers = yaml(read(provisioningSource + "/dashboards/tweetstream.yml"));
        String dashboardsPath = String.valueOf(map(map(list(providers.get("providers")).get(0)).get("options")).get("path"));
        Path dashboards = ROOT.resolve(mountSource("grafana", dashboardsPath));
        assertThat(dashboards.resolve("tweetstream.json")).isRegularFile();
        assertThat(environment("grafana").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))
                .isEqualTo(dashboardsPath + "/tweetstream.json");

        JsonNode dashboard = new ObjectMapper().readTree(dashboards.resolve("tweetstream.json").toFile());
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.path("datasource").path("uid").asText()).as("datasource of panel %s", panel.path("title").asText())
                    .isEqualTo(datasource.get("uid"));
        }
    }

    @Test
    void secretsComeFromTheGitIgnoredEnvFileWhoseExampleListsThemAll() {
        Properties example = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve(".env.example"), StandardCharsets.UTF_8)) {
            example.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher interpolation = INTERPOLATION.matcher(composeText);
        Set<String> fromEnvFile = new TreeSet<>();
        while (interpolation.find()) {
            fromEnvFile.add(interpolation.group(1));
        }
        assertThat(fromEnvFile).contains("GRAFANA_ADMIN_PASSWORD");
        assertThat(example.stringPropertyNames()).containsAll(fromEnvFile);

        services.forEach((name, definition) -> environment(name).forEach((variable, value) -> {
            if (SECRET_NAME.matcher(variable).matches()) {
                assertThat(value).as("%s of %s comes from the env file", variable, name).matches("\\$\\{[^}]+}");
            }
        }));
        assertThat(read(".gitignore").lines()).contains(".env").doesNotContain(".env.example");
        assertThat(read(".dockerignore").lines()).as("the env file stays out of the image").contains(".env");
    }

    // --- the app's configuration, as a service sees it

    /** The services built from this repository: the app. */
    private List<String> appServices() {
        return services.entrySet().stream().filter(e -> map(e.getValue()).containsKey("build"))
                .map(Map.Entry::getKey).toList();
    }

    /** The service's environment with the Dockerfile's ENV below it (for app services). */
    private Map<String, String> effectiveEnvironment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        if (map(services.get(service)).containsKey("build")) {
            env.putAll(dockerfile.runtime().env());
        }
        env.putAll(environment(service));
        return env;
    }

    /** A setting as the app resolves it: its environment variable, else application.properties. */
    private String setting(Map<String, String> env, String key) {
        String value = env.get(variable(key));
        if (value == null) {
            value = properties.getProperty(key);
        }
        assertThat(value).as("setting %s", key).isNotNull();
        return resolve(value, env);
    }

    private String resolve(String value, Map<String, String> env) {
        Matcher matcher = PLACEHOLDER.matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(setting(env, matcher.group(1))));
        }
        matcher.appendTail(resolved);
        return resolved.toString();
    }

    /** The topics of the kafkaTopics bean in routes/beans.camel.yaml, resolved, read as the app reads them. */
    private List<KafkaTopics.TopicSpec> topicsTheAppUses(Map<String, String> env) {
        List<Object> beans = list(map(loadAll("routes/beans.camel.yaml").get(0)).get("beans"));
        for (Object bean : beans) {
            if ("kafkaTopics".equals(map(bean).get("name"))) {
                return KafkaTopics.parse(resolve(String.valueOf(map(map(bean).get("properties")).get("topics")), env));
            }
        }
        throw new AssertionError("routes/beans.camel.yaml has no kafkaTopics bean");
    }

    // --- compose file access

    private String image(String service) {
        return String.valueOf(map(services.get(service)).get("image"));
    }

    /** The environment of a service, whether written as a map or as KEY=value items. */
    private Map<String, String> environment(String service) {
        Object environment = map(services.get(service)).get("environment");
        Map<String, String> env = new LinkedHashMap<>();
        if (environment instanceof Map<?, ?> values) {
            values.forEach((key, value) -> env.put(String.valueOf(key), value == null ? "" : String.valueOf(value)));
        } else if (environment instanceof List<?> items) {
            for (Object item : items) {
                String[] pair = String.valueOf(item).split("=", 2);
                env.put(pair[0], pair.length > 1 ? pair[1] : "");
            }
        }
        return env;
    }

    /** depends_on as service -> condition (service_started for the short form). */
    private Map<String, String> dependsOn(String service) {
        Object dependsOn = map(services.get(service)).get("depends_on");
        Map<String, String> conditions = new LinkedHashMap<>();
        if (dependsOn instanceof Map<?, ?> entries) {
            entries.forEach((name, spec) -> conditions.put(String.valueOf(name),
                    String.valueOf(map(spec).getOrDefault("condition", "service_started"))));
        } else if (dependsOn instanceof List<?> names) {
            names.forEach(name -> conditions.put(String.valueOf(name), "service_started"));
        }
        return conditions;
    }

    private String command(String service) {
        Map<String, Object> definition = map(services.get(service));
        List<String> parts = new ArrayList<>(list(definition.get("entrypoint")));
        parts.addAll(list(definition.get("command")));
        return String.join(" ", parts);
    }

    /** The bind mounts of a service as {source relative to the repository, target}. */
    private List<String[]> mounts(String service) {
        List<String[]> mounts = new ArrayList<>();
        for (Object volume : list(map(services.get(service)).get("volumes"))) {
            String[] parts = String.valueOf(volume).split(":");
            assertThat(parts[0]).as("volume of %s is a file of the repository", service).startsWith("./");
            mounts.add(new String[] {parts[0], parts[1]});
        }
        return mounts;
    }

    private String mountTarget(String service, String source) {
        return mounts(service).stream().filter(mount -> normalize(mount[0]).equals(source)).map(mount -> mount[1])
                .findFirst().orElseThrow(() -> new AssertionError(service + " does not mount " + source));
    }

    /** The repository path mounted at (or above) this container path. */
    private String mountSource(String service, String target) {
        for (String[] mount : mounts(service)) {
            if (target.equals(mount[1]) || target.startsWith(mount[1] + "/")) {
                return normalize(mount[0]) + target.substring(mount[1].length());
            }
        }
        throw new AssertionError(service + " mounts nothing at " + target);
    }

    // --- small parsers

    private static String bootstrapServerIn(String command) {
        Matcher matcher = Pattern.compile("--bootstrap-server[ =](\\S+)").matcher(command);
        assertThat(matcher.find()).as("--bootstrap-server in %s", command).isTrue();
        return matcher.group(1);
    }

    /** {@code NAME://host:port,...} as name -> host:port. */
    private static Map<String, String> listeners(String value) {
        Map<String, String> listeners = new LinkedHashMap<>();
        for (String listener : value.split(",")) {
            String[] parts = listener.strip().split("://", 2);
            listeners.put(parts[0], parts[1]);
        }
        return listeners;
    }

    private static Map<String, String> pairs(String value) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : value.split(",")) {
            String[] parts = pair.strip().split(":", 2);
            pairs.put(parts[0], parts[1]);
        }
        return pairs;
    }

    private static String port(String hostAndPort) {
        return hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1);
    }

    /** Camel's rule: the key upper-cased, '.' and '-' as '_'. */
    private static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String normalize(String source) {
        return source.replaceFirst("^\\./", "").replaceFirst("/$", "");
    }

    private static Properties applicationProperties() {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve("application.properties"), StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        properties.replaceAll((key, value) -> String.valueOf(value).strip());
        return properties;
    }

    private static String read(String file) {
        try {
            return Files.readString(ROOT.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> yaml(String text) {
        return map(new Load(LoadSettings.builder().build()).loadFromString(text));
    }

    private static List<Object> loadAll(String file) {
        return list(new Load(LoadSettings.builder().build()).loadFromString(read(file)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).as("a YAML mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?>) {
            return (List<T>) value;
        }
        return (List<T>) List.of(String.valueOf(value));
    }
}
