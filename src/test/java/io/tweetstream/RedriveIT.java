package io.tweetstream;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.tweetstream.kafka.EmbeddedKafkaBroker;
import io.tweetstream.kafka.KafkaTopics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Dead-lettered records go back to the tweet topic once the cause is fixed, filtered by exception class. */
class RedriveIT {

    private static final String TIMEOUT = "org.apache.kafka.common.errors.TimeoutException";

    @TempDir
    Path dataDir;

    @Test
    void redrivesOnlyTheChosenExceptionClassBackToTheTweetTopicAndMarksIt() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 2)) {
            KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("rk_hadoop", 2, "rk_hadoop.dlq", 2));
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                park(producer, "1960000000000000001", TIMEOUT, 7);
                park(producer, "1960000000000000002", "org.apache.camel.component.jsonvalidator.JsonValidationException", 8);
                park(producer, "1960000000000000003", TIMEOUT, 9);
                // the dead-letter records are at offsets 0, 1, 2 of partition 0
            }

            try (TweetstreamProcess app = TweetstreamProcess.start(Map.of(
                    "KAFKA_BROKERS", broker.bootstrapServers(),
                    "TWEETS_SOURCE", "none",
                    "ERRORS_REDRIVE_ENABLED", "true",
                    "ERRORS_REDRIVE_EXCEPTION_CLASS", TIMEOUT))) {
                app.awaitLine(line -> line.contains("tweet 1960000000000000001 by @"), Duration.ofSeconds(90));
                app.awaitLine(line -> line.contains("tweet 1960000000000000003 by @"), Duration.ofSeconds(90));

                List<ConsumerRecord<String, byte[]>> tweets = TopicReader.readAll(broker.bootstrapServers(), "rk_hadoop");
                assertThat(tweets).extracting(ConsumerRecord::key)
                        .containsExactlyInAnyOrder("1960000000000000001", "1960000000000000003");
                for (ConsumerRecord<String, byte[]> tweet : tweets) {
                    assertThat(new String(tweet.value(), StandardCharsets.UTF_8)).isEqualTo(Tweets.event(tweet.key(), "parked by an outage"));
                    assertThat(Instant.parse(TopicReader.header(tweet, "dlq.redriven.at").orElseThrow())).isBefore(Instant.now());
                    assertThat(TopicReader.header(tweet, "dlq.redriven.from").orElseThrow()).isIn("rk_hadoop.dlq/0@0", "rk_hadoop.dlq/0@2");
                }
                assertThat(app.lines()).noneMatch(line -> line.contains("tweet 1960000000000000002 by @"));
            }
        }
    }

    private static void park(KafkaProducer<String, byte[]> producer, String id, String exceptionClass, long offset)
            throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("rk_hadoop.dlq", 0, id,
                Tweets.event(id, "parked by an outage").getBytes(StandardCharsets.UTF_8));
        record.headers().add("dlq.original.topic", "rk_hadoop".getBytes(StandardCharsets.UTF_8));
        record.headers().add("dlq.original.partition", "0".getBytes(StandardCharsets.UTF_8));
        record.headers().add("dlq.original.offset", Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        record.headers().add("dlq.exception.class", exceptionClass.getBytes(StandardCharsets.UTF_8));
        producer.send(record).get();
    }

}
