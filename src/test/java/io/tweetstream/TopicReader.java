package io.tweetstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic, from the beginning to its current end, with a plain Kafka consumer. */
public final class TopicReader {

    private TopicReader() {
    }

    /** The record keys of a whole topic, in partition order, duplicates included. */
    public static List<String> keys(String bootstrapServers, String topic) {
        return readAll(bootstrapServers, topic).stream().map(ConsumerRecord::key).toList();
    }

    /**
     * The record keys of a topic of an app that has stopped: read with a broker of our own started on
     * the app's embedded broker's data directory.
     */
    public static List<String> keysOnceStopped(int port, java.nio.file.Path dataDir, String topic) {
        try (var broker = io.tweetstream.kafka.EmbeddedKafkaBroker.start("127.0.0.1", port, dataDir, 3)) {
            return keys(broker.bootstrapServers(), topic);
        }
    }

    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "topic-reader-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Could not read " + topic + " to its end offsets " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** A record header's value as UTF-8 text, if the record has it. */
    public static java.util.Optional<String> header(ConsumerRecord<String, byte[]> record, String name) {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader(name);
        return header == null ? java.util.Optional.empty()
                : java.util.Optional.of(new String(header.value(), java.nio.charset.StandardCharsets.UTF_8));
    }
}
