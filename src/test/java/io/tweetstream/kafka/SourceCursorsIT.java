package io.tweetstream.kafka;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tweetstream.TweetstreamProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The durable cursors of polling sources on a real broker, created as the app creates the topic. */
class SourceCursorsIT {

    @TempDir
    static Path dataDir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 1);
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    @Test
    void theTopicIsCreatedCompactedAndACursorSavedByOneRunIsReadByTheNext() throws Exception {
        KafkaTopics topics = new KafkaTopics();
        topics.setClientConfig(KafkaClientConfig.plaintext(broker.bootstrapServers()));
        topics.setTopics("cursors-restart:1:compact");
        topics.createMissing();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "cursors-restart");
            assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        SourceCursors first = cursors("cursors-restart");
        assertThat(first.read("x-v2-search:kafka")).isEmpty();
        first.write("x-v2-search:kafka", "{\"sinceId\":\"1\"}");
        first.write("x-v2-search:kafka", "{\"sinceId\":\"2\"}");
        first.write("x-v2-search:other", "{\"sinceId\":\"7\"}");
        assertThat(first.read("x-v2-search:kafka")).contains("{\"sinceId\":\"2\"}");
        first.close();

        SourceCursors restarted = cursors("cursors-restart");

        assertThat(restarted.read("x-v2-search:kafka")).as("the latest value").contains("{\"sinceId\":\"2\"}");
        assertThat(restarted.read("x-v2-search:other")).contains("{\"sinceId\":\"7\"}");
        restarted.close();
    }

    @Test
    void aDeletedCursorIsGoneAfterARestart() throws Exception {
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("cursors-deleted", 1));
        SourceCursors first = cursors("cursors-deleted");
        first.write("x-v2-search:old query", "{\"sinceId\":\"1\"}");
        first.close();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>("cursors-deleted", "x-v2-search:old query", null)).get();
        }

        SourceCursors restarted = cursors("cursors-deleted");

        assertThat(restarted.read("x-v2-search:old query")).isEmpty();
        restarted.close();
    }

    @Test
    void aMissingTopicIsReportedWithHowToCreateIt() {
        SourceCursors cursors = cursors("cursors-missing");

        assertThatThrownBy(() -> cursors.read("x-v2-search:kafka")).hasMessageContaining("cursors-missing")
                .hasMessageContaining("TWEETS_CURSORS_TOPIC").hasMessageContaining("cleanup.policy=compact");
        cursors.close();
    }

    @Test
    void aCursorIsNeverTakenAsSavedWhenKafkaDoesNotAnswer() {
        String nobody = "127.0.0.1:" + TweetstreamProcess.freePort();
        SourceCursors cursors = new SourceCursors();
        cursors.setClientConfig(KafkaClientConfig.plaintext(nobody));
        cursors.setTopic("cursors-restart");
        cursors.setTimeoutMs(1_000);

        assertThatThrownBy(() -> cursors.write("x-v2-search:kafka", "{\"sinceId\":\"3\"}"))
                .hasMessageContaining("x-v2-search:kafka").hasMessageContaining(nobody);
        assertThatThrownBy(() -> cursors.read("x-v2-search:kafka")).hasMessageContaining(nobody)
                .hasMessageContaining("KAFKA_BROKERS");
        cursors.close();
    }

    private static SourceCursors cursors(String topic) {
        SourceCursors cursors = new SourceCursors();
        cursors.setClientConfig(KafkaClientConfig.plaintext(broker.bootstrapServers()));
        cursors.setTopic(topic);
        return cursors;
    }
}
