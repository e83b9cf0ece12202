package io.tweetstream;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Poison pills published straight into the tweet topic between good tweets: every good one is
 * logged, every bad one is parked in the dead-letter topic with its error context, none is lost.
 */
class DeadLetterIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dataDir;

    @Test
    void poisonPillsGoToTheDeadLetterTopicWithTheirContextAndGoodTweetsAreLogged() throws Exception {
        int port = PipelineIT.freePort();
        Map<String, byte[]> poison = new LinkedHashMap<>();
        poison.put("malformed-json", "{\"schemaVersion\":1,\"id\":\"12".getBytes(StandardCharsets.UTF_8));
        poison.put("missing-fields", "{\"schemaVersion\":1,\"id\":\"1900000000000000001\"}".getBytes(StandardCharsets.UTF_8));
        poison.put("wrong-types", Tweets.event("1900000000000000002", "types")
                .replace("\"followers\":1207", "\"followers\":\"many\"").getBytes(StandardCharsets.UTF_8));
        poison.put("empty-value", new byte[0]);
        poison.put("invalid-utf8", Tweets.event("1900000000000000003", "bad \u00e9 bytes")
                .getBytes(StandardCharsets.ISO_8859_1));
        poison.put("oversized-text", Tweets.event("1900000000000000004", "x".repeat(30_000))
                .getBytes(StandardCharsets.UTF_8));

        try (TweetstreamProcess app = TweetstreamProcess.start(Map.of(
                "KAFKA_EMBEDDED_PORT", Integer.toString(port),
                "KAFKA_EMBEDDED_DATA_DIR", dataDir.toString(),
                "TWEETS_SAMPLE_RATE", "0",
                "TWEETS_SAMPLE_LOOP", "false"))) {
            app.awaitLine(line -> line.contains("Started kafka-to-log"), WAIT);
            String brokers = "127.0.0.1:" + port;

            Map<String, RecordMetadata> sent = new LinkedHashMap<>();
            Set<String> goodIds = new HashSet<>();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers, ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new ByteArraySerializer())) {
                int i = 0;
                for (Map.Entry<String, byte[]> pill : poison.entrySet()) {
                    String goodId = Long.toString(1_950_000_000_000_000_000L + i++);
                    producer.send(new ProducerRecord<>("rk_hadoop", goodId,
                            Tweets.event(goodId, "good " + i).getBytes(StandardCharsets.UTF_8))).get();
                    goodIds.add(goodId);
                    sent.put(pill.getKey(), producer.send(new ProducerRecord<>("rk_hadoop", pill.getKey(),
                            pill.getValue())).get());
                }
            }
            Set<String> expectedLogged = new HashSet<>(Tweets.sampleIds());
            expectedLogged.addAll(goodIds);

            await().atMost(WAIT).until(() -> new HashSet<>(app.loggedTweetIds()).containsAll(expectedLogged)
                    && TopicReader.readAll(brokers, "rk_hadoop.dlq").size() >= poison.size());

            List<ConsumerRecord<String, byte[]>> parked = TopicReader.readAll(brokers, "rk_hadoop.dlq");
            assertThat(parked).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(poison.keySet());
            for (ConsumerRecord<String, byte[]> record : parked) {
                RecordMetadata original = sent.get(record.key());
                assertThat(record.value()).as("value of %s unchanged", record.key()).isEqualTo(poison.get(record.key()));
                Map<String, String> headers = headers(record);
                assertThat(headers).containsEntry("dlq.original.topic", "rk_hadoop")
                        .containsEntry("dlq.original.partition", Integer.toString(original.partition()))
                        .containsEntry("dlq.original.offset", Long.toString(original.offset()))
                        .containsEntry("dlq.original.timestamp", Long.toString(original.timestamp()))
                        .containsEntry("dlq.consumer.group", "tweetstream")
                        .containsEntry("dlq.route.id", "kafka-to-log")
                        .containsEntry("dlq.attempts", "1");
                assertThat(headers.get("dlq.exception.class")).as("%s", record.key()).isNotBlank();
                assertThat(headers.get("dlq.exception.message")).isNotNull();
                assertThat(headers.get("dlq.exception.stacktrace")).contains("\tat ").hasSizeLessThan(4100);
                assertThat(Instant.parse(headers.get("dlq.failed.at"))).isBefore(Instant.now());
            }
            List<ConsumerRecord<String, byte[]>> published = TopicReader.readAll(brokers, "rk_hadoop");
            assertThat(new HashSet<>(app.loggedTweetIds()).size() + parked.size()).as("processed + dead-lettered = published")
                    .isEqualTo(published.size());

            int samples = Tweets.sampleIds().size();
            int consumed = samples + goodIds.size();
            await().atMost(WAIT).untilAsserted(() -> {
                String metrics = app.get("/observe/metrics").getValue();
                assertThat(PrometheusText.sum(metrics, "tweetstream_tweets_received_total", "source=\"sample\"")).isEqualTo(samples);
                assertThat(PrometheusText.sum(metrics, "tweetstream_tweets_published_total", "source=\"sample\"")).isEqualTo(samples);
                assertThat(PrometheusText.sum(metrics, "tweetstream_tweets_consumed_total", "")).isEqualTo(consumed);
                assertThat(PrometheusText.sum(metrics, "tweetstream_deadlettered_total", "route=\"kafka-to-log\"")).isEqualTo(poison.size());
                assertThat(PrometheusText.sum(metrics, "tweetstream_freshness_created_seconds_count", "")).isEqualTo(consumed);
                assertThat(PrometheusText.sum(metrics, "tweetstream_freshness_ingested_seconds_count", "")).isEqualTo(consumed);
                // Kafka's own client metrics of the routes' producers (tweets, dead letters) and consumer
                assertThat(PrometheusText.sum(metrics, "kafka_producer_record_send_total", "")).as("the sample and the parked records")
                        .isEqualTo(samples + poison.size());
                assertThat(PrometheusText.sum(metrics, "kafka_producer_record_error_total", "")).isZero();
                assertThat(PrometheusText.sum(metrics, "kafka_consumer_fetch_manager_records_consumed_total", "")).isGreaterThanOrEqualTo(consumed);
                assertThat(metrics).contains("kafka_consumer_fetch_manager_records_lag_max{");
                // the JVM's and the process's
                assertThat(PrometheusText.sum(metrics, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
                assertThat(PrometheusText.sum(metrics, "jvm_threads_live_threads", "")).isPositive();
                assertThat(PrometheusText.sum(metrics, "process_files_open_files", "")).isPositive();
                assertThat(metrics).contains("process_cpu_usage ", "jvm_gc_pause_seconds_count{");
            });
        }
    }

    /** Sum of the samples of a Prometheus metric whose labels contain {@code label}. */
    private static Map<String, String> headers(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
