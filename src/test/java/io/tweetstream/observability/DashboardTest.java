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

/** The Grafana dashboard and Prometheus configuration agree with the app and with README. */
class DashboardTest {

    private static final Pattern OUR_METRIC = Pattern.compile("tweetstream_[a-z_]+");

    @Test
    void everyMetricTheDashboardQueriesIsDocumentedInReadme() throws Exception {
        JsonNode dashboard = Tweets.JSON.readTree(Path.of("observability/grafana/dashboards/tweetstream.json").toFile());
        String readme = Files.readString(Path.of("README.md"));
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
        assertThat(metrics).allSatisfy(metric -> assertThat(readme).as("README documents %s", metric).contains(metric));
        assertThat(dashboard.get("uid").asText()).isEqualTo("tweetstream");
    }

    @Test
    void theDashboardShowsTheJvmProcessAndKafkaClientMetricsReadmeDocuments() throws Exception {
        JsonNode dashboard = Tweets.JSON.readTree(Path.of("observability/grafana/dashboards/tweetstream.json").toFile());
        String readme = Files.readString(Path.of("README.md"));
        List<String> expressions = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(t -> expressions.add(t.get("expr").asText())));

        for (String metric : List.of("jvm_memory_used_bytes", "jvm_gc_pause_seconds", "process_cpu_usage",
                "kafka_producer_record_send_total", "kafka_producer_record_error_total",
                "kafka_consumer_fetch_manager_records_lag_max")) {
            assertThat(expressions).as("a panel queries %s", metric).anyMatch(e -> e.contains(metric));
            assertThat(readme).as("README documents %s", metric).contains(metric);
        }
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
