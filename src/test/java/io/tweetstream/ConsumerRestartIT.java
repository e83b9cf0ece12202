package io.tweetstream;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tweetstream.kafka.EmbeddedKafkaBroker;
import io.tweetstream.kafka.KafkaTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The consumer app killed (SIGKILL) in the middle of a stream and started again: every record is
 * processed at least once (duplicates of unacknowledged records are counted, losses are not
 * allowed), and in the end the group's committed offsets reach the end of the topic.
 */
class ConsumerRestartIT {

    /**
     * The per-tweet log lines are this test's record of what was processed: written synchronously,
     * so a SIGKILL cannot drop lines still queued in the asynchronous loggers (which lose them by
     * design; what is processed is not).
     */
    private static final String SYNCHRONOUS_LOGGING =
            "-Dlog4j2.contextSelector=org.apache.logging.log4j.core.selector.ClassLoaderContextSelector";

    private static final int RECORDS = 5_000;

    @TempDir
    Path dataDir;

    @Test
    void killedMidStreamAndRestartedItLosesNothing() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 3)) {
            KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("rk_hadoop", 3));
            Set<String> published = publish(broker.bootstrapServers());
            Map<String, String> environment = Map.of(
                    "KAFKA_BROKERS", broker.bootstrapServers(),
                    "TWEETS_SOURCE", "none");

            List<String> logged = new ArrayList<>();
            try (TweetstreamProcess first = TweetstreamProcess.start(environment, SYNCHRONOUS_LOGGING)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> new HashSet<>(first.loggedTweetIds()).size() >= RECORDS / 10);
                first.kill();
                logged.addAll(first.loggedTweetIds());
            }
            assertThat(logged).as("killed mid-stream").hasSizeLessThan(RECORDS);

            try (TweetstreamProcess second = TweetstreamProcess.start(environment, SYNCHRONOUS_LOGGING)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> union(logged, new HashSet<>(second.loggedTweetIds())).containsAll(published));
                await().atMost(Duration.ofSeconds(30)).until(() -> lag(broker.bootstrapServers()) == 0);
                logged.addAll(second.loggedTweetIds());
            }
            assertThat(new HashSet<>(logged)).isEqualTo(published);
            int duplicates = logged.size() - published.size();
            System.out.printf("ConsumerRestartIT: %d records, %d processed twice after the kill%n", RECORDS, duplicates);
            assertThat(duplicates).as("only records unacknowledged at the kill are redelivered").isLessThan(RECORDS / 2);
        }
    }

    private static Set<String> publish(String brokers) throws Exception {
        Set<String> ids = new HashSet<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers, ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                String id = Long.toString(1_970_000_000_000_000_000L + i);
                producer.send(new ProducerRecord<>("rk_hadoop", id,
                        Tweets.event(id, "tweet number " + i).getBytes(StandardCharsets.UTF_8)));
                ids.add(id);
            }
            producer.flush();
        }
        return ids;
    }

    private static long lag(String brokers) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("tweetstream")
                    .partitionsToOffsetAndMetadata().get();
            long lag = 0;
            for (int partition = 0; partition < 3; partition++) {
                TopicPartition tp = new TopicPartition("rk_hadoop", partition);
                long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
                OffsetAndMetadata offset = committed.get(tp);
                lag += end - (offset == null ? 0 : offset.offset());
            }
            return lag;
        }
    }

    private static Set<String> union(List<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
