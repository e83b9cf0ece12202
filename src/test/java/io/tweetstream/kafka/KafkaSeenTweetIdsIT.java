package io.tweetstream.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The published tweet ids on a real broker: read back from the tweet topic's latest committed
 * records at start-up, bounded in memory, kept by the app's own adds.
 */
class KafkaSeenTweetIdsIT {

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
    void theTweetsOnTheTopicAreSeenAtTheNextStart() throws Exception {
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("seen-restart", 3));
        publish("seen-restart", null, "1", "2", "3");

        KafkaSeenTweetIds restarted = repository("seen-restart", 100);

        assertThat(restarted.contains("1")).isTrue();
        assertThat(restarted.contains("3")).isTrue();
        assertThat(restarted.contains("4")).isFalse();
        assertThat(restarted.add("2")).as("already published").isFalse();
        assertThat(restarted.add("4")).isTrue();
        assertThat(restarted.contains("4")).isTrue();
        restarted.stop();
    }

    @Test
    void onlyCommittedTransactionsCount() throws Exception {
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("seen-transactions", 1));
        try (KafkaProducer<String, byte[]> producer = producer("seen-tx")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(record("seen-transactions", "committed"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(record("seen-transactions", "aborted"));
            producer.flush();
            producer.abortTransaction();
        }
        // a commit returns before Kafka has written its markers; an app's read-back comes after them
        // (its producer's start waits for them), so this one waits too
        await().untilAsserted(() -> assertThat(io.tweetstream.TopicReader.keys(broker.bootstrapServers(),
                "seen-transactions")).containsExactly("committed"));

        KafkaSeenTweetIds repository = repository("seen-transactions", 100);

        assertThat(repository.contains("committed")).isTrue();
        assertThat(repository.contains("aborted")).as("an aborted batch was not published").isFalse();
        repository.stop();
    }

    @Test
    void theLatestIdsOfAllPartitionsAreKeptWhenThereAreMoreThanTheCacheHolds() throws Exception {
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("seen-bounded", 3));
        long now = System.currentTimeMillis();
        publish("seen-bounded", now - 10_000, "old-1", "old-2", "old-3", "old-4");
        publish("seen-bounded", now - 5_000, "new-1", "new-2", "new-3");

        KafkaSeenTweetIds repository = repository("seen-bounded", 3);

        assertThat(repository.contains("new-1")).isTrue();
        assertThat(repository.contains("new-2")).isTrue();
        assertThat(repository.contains("new-3")).isTrue();
        assertThat(repository.contains("old-4")).as("older than the cache holds").isFalse();
        repository.add("newer");
        assertThat(repository.contains("new-1")).as("the oldest goes first").isFalse();
        assertThat(repository.contains("newer")).isTrue();
        repository.stop();
    }

    @Test
    void aMissingTweetTopicFailsWithWhatToFix() {
        KafkaSeenTweetIds repository = new KafkaSeenTweetIds();
        repository.setTopic("seen-missing");
        repository.setClientConfig(KafkaClientConfig.plaintext(broker.bootstrapServers()));
        repository.setTimeoutMs(5_000);

        assertThatThrownBy(repository::start).hasMessageContaining("seen-missing")
                .hasMessageContaining("KAFKA_TOPIC").hasMessageContaining("KAFKA_TOPICS_CREATE");
    }

    @Test
    void anUnreachableBrokerFailsWithWhatToFix() {
        KafkaSeenTweetIds repository = new KafkaSeenTweetIds();
        repository.setTopic("seen-unreachable");
        repository.setClientConfig(KafkaClientConfig.plaintext("127.0.0.1:1"));
        repository.setTimeoutMs(2_000);

        assertThatThrownBy(repository::start).hasMessageContaining("127.0.0.1:1").hasMessageContaining("KAFKA_BROKERS");
    }

    /** Records keyed by the ids, with the given timestamp (null: now), without a transaction. */
    private static void publish(String topic, Long timestamp, String... ids) {
        try (KafkaProducer<String, byte[]> producer = producer(null)) {
            for (String id : ids) {
                producer.send(new ProducerRecord<>(topic, null, timestamp, id, "{}".getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static ProducerRecord<String, byte[]> record(String topic, String id) {
        return new ProducerRecord<>(topic, id, "{}".getBytes(StandardCharsets.UTF_8));
    }

    private static KafkaProducer<String, byte[]> producer(String transactionalId) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()));
        if (transactionalId != null) {
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaSeenTweetIds repository(String topic, int cacheSize) {
        KafkaSeenTweetIds repository = new KafkaSeenTweetIds();
        repository.setTopic(topic);
        repository.setMaxCacheSize(cacheSize);
        repository.setClientConfig(KafkaClientConfig.plaintext(broker.bootstrapServers()));
        repository.start();
        return repository;
    }
}
