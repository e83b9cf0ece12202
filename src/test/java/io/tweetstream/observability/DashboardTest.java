package io.tweetstream.observability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.tweetstream.Tweets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Grafana dashboard and Prometheus configuration agree with the app and with docs/operations.md. */
class DashboardTest {

    private static final Path OPERATIONS_DOC = Path.of("docs/operations.md");
    private static final Pattern OUR_METRIC = Pattern.compile("tweetstream_[a-z_]+");

    @Test
    void everyMetricTheDashboardQueriesIsDocumentedInOperationsDoc() throws Exception {
        JsonNode dashboard = Tweets.JSON.readTree(Path.of("observability/grafana/dashboards/tweetstream.json").toFile());
        String doc = Files.readString(OPERATIONS_DOC);
        Set<String> metrics = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher matcher = OUR_METRIC.matcher(target.get("expr").asText());
                while (matcher.find()) {
                    metrics.add(matcher.group().replaceAll("_(bucket|count|sum)$", ""));
                }
            }
        }

        assertThat(metrics).hasSizeGreaterThan(8);
        assertThat(metrics).allSatisfy(metric -> assertThat(doc).as("docs/operations.md documents %s", metric).contains(metric));
        assertThat(dashboard.get("uid").asText()).isEqualTo("tweetstream");
    }

    @Test
    void theDashboardShowsTheJvmProcessAndKafkaClientMetricsOperationsDocDocuments() throws Exception {
        JsonNode dashboard = Tweets.JSON.readTree(Path.of("observability/grafana/dashboards/tweetstream.json").toFile());
        String doc = Files.readString(OPERATIONS_DOC);
        List<String> expressions = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(t -> expressions.add(t.get("expr").asText())));

        for (String metric : List.of("jvm_memory_used_bytes", "jvm_gc_pause_seconds", "process_cpu_usage",
                "kafka_producer_record_send_total", "kafka_producer_record_error_total",
                "kafka_consumer_fetch_manager_records_lag_max")) {
            assertThat(expressions).as("a panel queries %s", metric).anyMatch(e -> e.contains(metric));
            assertThat(doc).as("docs/operations.md documents %s", metric).contains(metric);
        }
    }

    @Test
    void theDashboardShowsWhatTheXSourcesReadAndCostAgainstTheBudgetAndTheCap() throws Exception {
        JsonNode dashboard = Tweets.JSON.readTree(Path.of("observability/grafana/dashboards/tweetstream.json").toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(t -> expressions.add(t.get("expr").asText())));

        assertThat(expressions).as("reads per second").anyMatch(e -> e.contains("rate(tweetstream_x_post_reads_total["));
        assertThat(expressions).as("distinct reads today and the budget in one panel").anySatisfy(e -> assertThat(e)
                .contains("tweetstream_x_post_reads_today"));
        assertThat(dashboard.get("panels")).as("a panel of today's reads against the budget").anySatisfy(panel -> {
            String targets = panel.get("targets").toString();
            assertThat(targets).contains("tweetstream_x_post_reads_today").contains("tweetstream_x_post_reads_budget");
        });
        assertThat(dashboard.get("panels")).as("a cost panel in US dollars").anySatisfy(panel -> {
            assertThat(panel.get("targets").toString()).contains("tweetstream_x_post_reads_cost_usd");
            assertThat(panel.at("/fieldConfig/defaults/unit").asText()).isEqualTo("currencyUSD");
        });
        assertThat(dashboard.get("panels")).as("a panel of X's usage against the cap").anySatisfy(panel ->
                assertThat(panel.get("targets").toString()).contains("tweetstream_x_usage_posts")
                        .contains("tweetstream_x_usage_cap"));
    }

    @Test
    void prometheusScrapesTheAppsMetricsPath() throws Exception {
        String prometheus = Files.readString(Path.of("observability/prometheus.yml"));
        String properties = Files.readString(Path.of("application.properties"));

        assertThat(prometheus).contains("metrics_path: /observe/metrics");
        assertThat(properties).contains("camel.server.port = 8080");
        assertThat(prometheus).contains(":8080");
    }
}
