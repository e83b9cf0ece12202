package io.tweetstream.kafka;

import io.tweetstream.kafka.KafkaTopics.TopicSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaTopicsTest {

    @Test
    void topicsAreNamePartitionsAndOptionallyCompact() {
        String topics = "rk_hadoop:3, rk_hadoop.dlq:1,rk_hadoop.cursors:1:compact";

        assertThat(KafkaTopics.parse(topics)).containsExactly(new TopicSpec("rk_hadoop", 3, false),
                new TopicSpec("rk_hadoop.dlq", 1, false), new TopicSpec("rk_hadoop.cursors", 1, true));
    }

    @Test
    void aBrokerThatDoesNotAnswerStopsTheStartInTimeNamingWhatToCheck() {
        String nobody = "127.0.0.1:" + io.tweetstream.TweetstreamProcess.freePort();
        KafkaTopics topics = new KafkaTopics();
        topics.setClientConfig(KafkaClientConfig.plaintext(nobody));
        topics.setTopics("rk_hadoop:3");
        topics.setTimeoutMs(1_000);

        long started = System.nanoTime();
        assertThatThrownBy(topics::createMissing).hasMessageContaining("Kafka at " + nobody + " did not answer")
                .hasMessageContaining("KAFKA_BROKERS").hasMessageContaining("KAFKA_SECURITY_PROTOCOL (PLAINTEXT)");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(15));
    }

    @Test
    void nothingIsAskedOfKafkaWhenTopicCreationIsOff() {
        KafkaTopics topics = new KafkaTopics();
        topics.setClientConfig(KafkaClientConfig.plaintext("127.0.0.1:" + io.tweetstream.TweetstreamProcess.freePort()));
        topics.setTopics("rk_hadoop:3");
        topics.setEnabled(false);
        topics.setTimeoutMs(1_000);

        topics.createMissing();
    }

    @Test
    void anyOtherFormIsRefusedNamingTheEntry() {
        assertThatThrownBy(() -> KafkaTopics.parse("rk_hadoop:3:deleted"))
                .hasMessage("Topic 'rk_hadoop:3:deleted' is not of the form name:partitions or name:partitions:compact");
        assertThatThrownBy(() -> KafkaTopics.parse("rk_hadoop"))
                .hasMessageContaining("'rk_hadoop' is not of the form");
    }
}
