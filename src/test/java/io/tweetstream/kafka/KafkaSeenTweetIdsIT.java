package io.tweetstream.kafka;

import java.nio.file.Path;
import java.util.Map;

import io.tweetstream.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The published tweet ids on a real broker: kept across restarts, bounded in memory. */
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
    void idsAddedByOneRunAreSeenByTheNext() throws Exception {
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("seen-restart", 1));
        KafkaSeenTweetIds first = repository("seen-restart", 100);
        assertThat(first.add("1")).isTrue();
        assertThat(first.add("2")).isTrue();
        assertThat(first.add("1")).as("already published").isFalse();
        first.stop();

        KafkaSeenTweetIds restarted = repository("seen-restart", 100);

        assertThat(restarted.contains("1")).isTrue();
        assertThat(restarted.contains("2")).isTrue();
        assertThat(restarted.contains("3")).isFalse();
        assertThat(restarted.add("2")).isFalse();
        restarted.stop();
    }

    @Test
    void idsAreWrittenWithoutWaitingInTheFormatOfCamelsKafkaIdempotentRepository() throws Exception {
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("seen-format", 1));
        KafkaSeenTweetIds repository = repository("seen-format", 100);
        repository.add("1861300000000000001");
        repository.remove("1861300000000000001");

        await().untilAsserted(() -> assertThat(TopicReader.readAll(broker.bootstrapServers(), "seen-format"))
                .extracting(r -> r.key() + "=" + new String(r.value(), java.nio.charset.StandardCharsets.UTF_8))
                .containsExactly("1861300000000000001=add", "1861300000000000001=remove"));
        repository.stop();
    }

    @Test
    void remembersOnlyTheLatestIdsUpToTheCacheSizeAlsoWhenReadBack() throws Exception {
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("seen-bounded", 1));
        KafkaSeenTweetIds first = repository("seen-bounded", 3);
        for (int id = 1; id <= 5; id++) {
            first.add(Integer.toString(id));
        }
        assertThat(first.contains("1")).as("the oldest dropped").isFalse();
        assertThat(first.contains("3")).isTrue();
        first.stop();

        KafkaSeenTweetIds restarted = repository("seen-bounded", 3);

        assertThat(restarted.contains("2")).isFalse();
        assertThat(restarted.contains("3")).isTrue();
        assertThat(restarted.contains("5")).isTrue();
        restarted.stop();
    }

    @Test
    void aMissingTopicStopsTheStartWithWhatToCreate() {
        KafkaSeenTweetIds repository = new KafkaSeenTweetIds();
        repository.setClientConfig(KafkaClientConfig.plaintext(broker.bootstrapServers()));
        repository.setTopic("seen-missing");

        assertThatThrownBy(repository::start).hasMessageContaining("seen-missing")
                .hasMessageContaining("TWEETS_DEDUP_TOPIC").hasMessageContaining("KAFKA_TOPICS_CREATE");
    }

    @Test
    void aBrokerThatDoesNotAnswerStopsTheStartInTimeNamingKafkaBrokers() {
        String nobody = "127.0.0.1:" + io.tweetstream.TweetstreamProcess.freePort();
        KafkaSeenTweetIds repository = new KafkaSeenTweetIds();
        repository.setClientConfig(KafkaClientConfig.plaintext(nobody));
        repository.setTopic("seen-restart");
        repository.setTimeoutMs(2_000);

        long started = System.nanoTime();
        assertThatThrownBy(repository::start).hasMessageContaining(nobody).hasMessageContaining("KAFKA_BROKERS");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(20));
    }

    /**
     * A crash between a tweet's acknowledgement and the write of its id: the tweet is on the tweet
     * topic, its id is not on the dedup topic. The next start reads the tweet topic back from the
     * last recorded id on, so the tweet counts as published (and its id is recorded then).
     */
    @Test
    void aTweetOnKafkaWhoseIdWasNotRecordedCountsAsPublishedAfterARestart() throws Exception {
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("seen-crash", 1, "tweets-crash", 3));
        KafkaSeenTweetIds first = repository("seen-crash", 100);
        first.add("1861300000000000001");
        first.stop();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(Map.of(
                "bootstrap.servers", broker.bootstrapServers()), new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            for (String id : new String[] {"1861300000000000001", "1861300000000000002", "1861300000000000003"}) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("tweets-crash", id, "{}")).get();
            }
        }

        KafkaSeenTweetIds restarted = new KafkaSeenTweetIds();
        restarted.setClientConfig(KafkaClientConfig.plaintext(broker.bootstrapServers()));
        restarted.setTopic("seen-crash");
        restarted.setTweetTopic("tweets-crash");
        restarted.setMaxCacheSize(100);
        restarted.start();

        assertThat(restarted.contains("1861300000000000002")).isTrue();
        assertThat(restarted.contains("1861300000000000003")).isTrue();
        assertThat(restarted.add("1861300000000000003")).as("published before the crash").isFalse();
        await().untilAsserted(() -> assertThat(TopicReader.keys(broker.bootstrapServers(), "seen-crash"))
                .containsExactlyInAnyOrder("1861300000000000001", "1861300000000000002", "1861300000000000003"));
        restarted.stop();
    }

    private static KafkaSeenTweetIds repository(String topic, int cacheSize) {
        KafkaSeenTweetIds repository = new KafkaSeenTweetIds();
        repository.setClientConfig(KafkaClientConfig.plaintext(broker.bootstrapServers()));
        repository.setTopic(topic);
        repository.setMaxCacheSize(cacheSize);
        repository.start();
        return repository;
    }
}
