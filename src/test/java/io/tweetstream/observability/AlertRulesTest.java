package io.tweetstream.observability;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * observability/alerts.yml is valid for Prometheus ({@code promtool check rules}), passes its unit
 * tests ({@code promtool test rules observability/alerts.test.yml}), queries only metrics
 * docs/operations.md documents, and each alert is complete, documented and tested both ways.
 *
 * <p>The two promtool checks need promtool on the PATH (Debian: {@code apt-get install prometheus};
 * or the Prometheus release archive from prometheus.io). Without it they are skipped, with one line
 * on the build's output saying how to install it, so that the tests pass on a machine with a JDK
 * only; with {@code -Dpromtool.required=true} (which .ci/run passes, after installing promtool) they
 * fail instead, since a skipped check catches nothing.
 */
class AlertRulesTest {

    private static final Path RULES = Path.of("observability/alerts.yml");
    private static final Path RULE_TESTS = Path.of("observability/alerts.test.yml");
    private static final Path OPERATIONS_DOC = Path.of("docs/operations.md");
    private static final Pattern OUR_METRIC = Pattern.compile("tweetstream_[a-z_]+");
    private static final Pattern TABLE_METRIC = Pattern.compile("`(tweetstream_[a-z_]+)`");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning");
    /** The system property that makes a missing promtool a failure (.ci/run sets it). */
    private static final String PROMTOOL_REQUIRED = "promtool.required";
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    @Test
    void promtoolChecksTheRules() throws Exception {
        promtool("check", "rules", RULES.toString());
    }

    @Test
    void theRulesPassTheirPromtoolUnitTests() throws Exception {
        promtool("test", "rules", RULE_TESTS.toString());
    }

    @Test
    void everyMetricTheRulesQueryIsInTheMetricTableOfOperationsDoc() throws Exception {
        Set<String> documented = new TreeSet<>();
        for (String line : Files.readAllLines(OPERATIONS_DOC)) {
            if (line.startsWith("| `tweetstream_")) {
                Matcher matcher = TABLE_METRIC.matcher(line.split("\\|")[1]);
                while (matcher.find()) {
                    documented.add(matcher.group(1));
                }
            }
        }
        Set<String> queried = new TreeSet<>();
        for (Map<String, Object> rule : alertRules()) {
            Matcher matcher = OUR_METRIC.matcher(String.valueOf(rule.get("expr")));
            while (matcher.find()) {
                queried.add(matcher.group().replaceAll("_(bucket|count|sum)$", ""));
            }
        }

        assertThat(documented).as("metrics of the table in %s", OPERATIONS_DOC).hasSizeGreaterThan(15);
        assertThat(queried).hasSizeGreaterThan(8);
        assertThat(queried).allSatisfy(metric -> assertThat(documented)
                .as("the metric table of %s lists %s, which alerts.yml queries", OPERATIONS_DOC, metric).contains(metric));
    }

    @Test
    void everyAlertHasSeverityForAndAnnotationsAndIsDocumentedInOperationsDoc() throws Exception {
        String doc = Files.readString(OPERATIONS_DOC);
        List<Map<String, Object>> rules = alertRules();

        assertThat(rules).hasSizeGreaterThan(8);
        for (Map<String, Object> rule : rules) {
            String alert = String.valueOf(rule.get("alert"));
            assertThat(rule).as("%s has a for", alert).containsKey("for");
            assertThat(String.valueOf(map(rule.get("labels")).get("severity"))).as("severity of %s", alert).isIn(SEVERITIES);
            Map<String, Object> annotations = map(rule.get("annotations"));
            assertThat(String.valueOf(annotations.get("summary"))).as("summary of %s", alert).isNotBlank().isNotEqualTo("null");
            assertThat(String.valueOf(annotations.get("description"))).as("description of %s", alert).isNotBlank()
                    .isNotEqualTo("null");
            assertThat(doc).as("%s documents alert %s", OPERATIONS_DOC, alert).contains("`" + alert + "`");
        }
    }

    @Test
    void everyAlertHasAUnitTestWhereItFiresAndOneWhereItMustNot() throws Exception {
        Set<String> fires = new TreeSet<>();
        Set<String> staysQuiet = new TreeSet<>();
        Map<String, Object> tests = map(yaml(RULE_TESTS));
        assertThat(list(tests.get("rule_files"))).as("rule_files of %s", RULE_TESTS).containsExactly(RULES.getFileName().toString());
        for (Object test : list(tests.get("tests"))) {
            for (Object check : list(map(test).get("alert_rule_test"))) {
                String alert = String.valueOf(map(check).get("alertname"));
                (list(map(check).get("exp_alerts")).isEmpty() ? staysQuiet : fires).add(alert);
            }
        }
        Set<String> alerts = new TreeSet<>();
        alertRules().forEach(rule -> alerts.add(String.valueOf(rule.get("alert"))));

        assertThat(fires).as("alerts with a test where they fire").containsAll(alerts);
        assertThat(staysQuiet).as("alerts with a test where they must not fire").containsAll(alerts);
        assertThat(alerts).as("alerts of alerts.yml").containsAll(fires).containsAll(staysQuiet);
    }

    /** Runs promtool in the project directory; fails with its output unless it exits with 0. */
    /**
     * One line on the build's own output, the first time only: Surefire keeps what tests print in
     * target/surefire-reports, where nobody would see it, so this goes to the test JVM's real stderr.
     */
    private static void warnOnce(String line) {
        if (WARNED.compareAndSet(false, true)) {
            PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
            stderr.println(line);
        }
    }

    private static void promtool(String... arguments) throws IOException, InterruptedException {
        Optional<Path> found = onPath("promtool");
        if (found.isEmpty()) {
            String missing = "promtool is not on the PATH, so 'promtool " + String.join(" ", arguments) + "' did not run."
                    + " Install it: apt-get install prometheus (Debian/Ubuntu), or the Prometheus release archive from"
                    + " https://prometheus.io/download/ (it includes promtool)";
            if (Boolean.getBoolean(PROMTOOL_REQUIRED)) {
                throw new AssertionError(missing + " (-D" + PROMTOOL_REQUIRED + "=true: promtool is required)");
            }
            warnOnce("[WARNING] AlertRulesTest: promtool checks skipped: promtool is not on the PATH. Install it:"
                    + " apt-get install prometheus (Debian/Ubuntu), or the Prometheus release archive from"
                    + " https://prometheus.io/download/ (it includes promtool)");
            Assumptions.abort(missing);
        }
        Path promtool = found.get();
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ended").isTrue();
        assertThat(process.exitValue()).as("%s exit code; its output:%n%s", String.join(" ", command), output).isZero();
        assertThat(output).contains("SUCCESS");
    }

    private static Optional<Path> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The alerting rules of every group of alerts.yml. */
    private static List<Map<String, Object>> alertRules() throws IOException {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : list(map(yaml(RULES)).get("groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                if (map(rule).containsKey("alert")) {
                    rules.add(map(rule));
                }
            }
        }
        return rules;
    }

    private static Object yaml(Path file) throws IOException {
        return new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).as("a YAML mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        assertThat(value).as("a YAML list").isInstanceOf(List.class);
        return (List<Object>) value;
    }
}
