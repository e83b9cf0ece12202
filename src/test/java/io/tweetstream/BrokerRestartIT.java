package io.tweetstream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.tweetstream.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The broker goes away while tweets are being published and comes back: every tweet lands once. */
class BrokerRestartIT {

    @TempDir
    Path dataDir;

    @Test
    void tweetsPublishedWhileTheBrokerRestartsLandOnceEach() throws Exception {
        Set<String> sampleIds = Tweets.sampleIds();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 3);
                TweetstreamProcess app = TweetstreamProcess.start(Map.of(
                        "KAFKA_BROKERS", broker.bootstrapServers(),
                        "TWEETS_SAMPLE_RATE", "40",
                        "TWEETS_SAMPLE_LOOP", "false"))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> keys(broker).size() >= 40);
            assertThat(app.get("/observe/health/ready").getKey()).isEqualTo(200);
            broker.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Map.Entry<Integer, String> ready = app.get("/observe/health/ready");
                return ready.getKey() == 503 && ready.getValue().contains("does not answer");
            });
            broker.restart();
            await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/observe/health/ready").getKey() == 200);

            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> keys(broker).containsAll(sampleIds));
            List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), "rk_hadoop");
            assertThat(records).hasSize(sampleIds.size());
            assertThat(app.lines()).noneMatch(line -> line.contains("Exhausted after delivery attempt"));
        }
    }

    private static Set<String> keys(EmbeddedKafkaBroker broker) {
        return TopicReader.readAll(broker.bootstrapServers(), "rk_hadoop").stream().map(ConsumerRecord::key)
                .collect(Collectors.toSet());
    }
}
