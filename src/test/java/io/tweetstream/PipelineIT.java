package io.tweetstream;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.tweetstream.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole pipeline as a user runs it: the packaged jar, the routes and application.properties
 * of the project root, a real Kafka broker, the bundled sample tweets sent once.
 */
class PipelineIT {

    private static final Duration START_AND_ONE_PASS = Duration.ofSeconds(90);

    @TempDir
    Path dataDir;

    @Test
    void samplePassLandsInTheTopicOnceEachAndIsLoggedByTheConsumer() throws Exception {
        Set<String> sampleIds = Tweets.sampleIds();
        int port = freePort();

        try (TweetstreamProcess app = TweetstreamProcess.start(Map.of(
                "KAFKA_EMBEDDED_PORT", Integer.toString(port),
                "KAFKA_EMBEDDED_DATA_DIR", dataDir.toString(),
                "TWEETS_SAMPLE_RATE", "0",
                "TWEETS_SAMPLE_LOOP", "false"))) {
            app.awaitLine(line -> line.contains("Embedded Kafka broker") && line.contains("127.0.0.1:" + port),
                    START_AND_ONE_PASS);
            app.awaitLine(line -> new HashSet<>(app.loggedTweetIds()).containsAll(sampleIds), START_AND_ONE_PASS);

            assertTopicHoldsEachSampleTweetOnce("127.0.0.1:" + port, sampleIds);
            assertThat(new HashSet<>(app.loggedTweetIds())).isEqualTo(sampleIds);
        }
    }

    @Test
    void usesTheBrokerInKafkaBrokersAndStartsNoneOfItsOwn() throws Exception {
        Set<String> sampleIds = Tweets.sampleIds();
        int unusedEmbeddedPort = freePort();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 2);
                TweetstreamProcess app = TweetstreamProcess.start(Map.of(
                        "KAFKA_BROKERS", broker.bootstrapServers(),
                        "KAFKA_EMBEDDED_PORT", Integer.toString(unusedEmbeddedPort),
                        "KAFKA_TOPIC", "tweets_elsewhere",
                        "KAFKA_CONSUMER_GROUP", "elsewhere",
                        "TWEETS_SAMPLE_RATE", "0",
                        "TWEETS_SAMPLE_LOOP", "false"))) {
            app.awaitLine(line -> line.contains("Using Kafka at " + broker.bootstrapServers()), START_AND_ONE_PASS);
            app.awaitLine(line -> new HashSet<>(app.loggedTweetIds()).containsAll(sampleIds), START_AND_ONE_PASS);

            assertThat(app.lines()).noneMatch(line -> line.contains("Embedded Kafka broker"));
            assertThat(portIsFree(unusedEmbeddedPort)).isTrue();
            assertTopicHoldsEachSampleTweetOnce(broker.bootstrapServers(), "tweets_elsewhere", sampleIds);
        }
    }

    private static void assertTopicHoldsEachSampleTweetOnce(String bootstrapServers, Set<String> sampleIds)
            throws IOException {
        assertTopicHoldsEachSampleTweetOnce(bootstrapServers, "rk_hadoop", sampleIds);
    }

    private static void assertTopicHoldsEachSampleTweetOnce(String bootstrapServers, String topic,
            Set<String> sampleIds) throws IOException {
        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(bootstrapServers, topic);
        assertThat(records).hasSize(sampleIds.size());
        assertThat(records.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).isEqualTo(sampleIds);
        for (ConsumerRecord<String, byte[]> record : records) {
            JsonNode event = Tweets.JSON.readTree(new String(record.value(), StandardCharsets.UTF_8));
            assertThat(event.get("id").asText()).isEqualTo(record.key());
            assertThat(Tweets.schemaProblems(event)).as("event %s", record.key()).isEmpty();
        }
    }

    static int freePort() {
        return TweetstreamProcess.freePort();
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
