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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two consumer instances in one group on a multi-partition topic share it: each tweet consumed once. */
class ScaleOutIT {

    private static final int RECORDS = 2_000;

    @TempDir
    Path dataDir;

    @Test
    void twoInstancesInOneGroupConsumeEachTweetOnce() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 4)) {
            KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("rk_hadoop", 4));
            Map<String, String> consumerOnly = Map.of("KAFKA_BROKERS", broker.bootstrapServers(), "TWEETS_SOURCE", "none");
            try (TweetstreamProcess first = TweetstreamProcess.start(consumerOnly);
                    TweetstreamProcess second = TweetstreamProcess.start(consumerOnly)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> membersWithPartitions(broker) == 2);

                Set<String> published = publish(broker.bootstrapServers());

                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    Set<String> all = new HashSet<>(first.loggedTweetIds());
                    all.addAll(second.loggedTweetIds());
                    return all.containsAll(published);
                });
                List<String> consumed = new ArrayList<>(first.loggedTweetIds());
                consumed.addAll(second.loggedTweetIds());
                assertThat(consumed).hasSize(RECORDS).doesNotHaveDuplicates();
                assertThat(first.loggedTweetIds()).as("first instance did its share").isNotEmpty();
                assertThat(second.loggedTweetIds()).as("second instance did its share").isNotEmpty();
            }
        }
    }

    private static long membersWithPartitions(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            var group = admin.describeConsumerGroups(List.of("tweetstream")).all().get().get("tweetstream");
            return group.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        }
    }

    private static Set<String> publish(String brokers) throws Exception {
        Set<String> ids = new HashSet<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                String id = Long.toString(1_980_000_000_000_000_000L + i);
                producer.send(new ProducerRecord<>("rk_hadoop", id,
                        Tweets.event(id, "shared " + i).getBytes(StandardCharsets.UTF_8)));
                ids.add(id);
            }
            producer.flush();
        }
        return ids;
    }
}
