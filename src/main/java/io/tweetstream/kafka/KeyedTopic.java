package io.tweetstream.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A topic of the app's own state, keyed records of text (the cursors of the API sources; the tweet
 * topic, whose latest keys are the published tweet ids), read from its start, from a time, or its
 * latest records, to its current end at start-up, so the state survives a restart. Read committed
 * only: what an aborted or open transaction wrote is not state. A missing topic or a broker that does not answer in time fails with what to fix.
 *
 * @param client    the brokers and security settings
 * @param topic     the topic's name
 * @param setting   the variable that names it, e.g. {@code TWEETS_CURSORS_TOPIC}
 * @param layout    how to create it by hand, e.g. {@code 1 partition}
 */
record KeyedTopic(KafkaClientConfig client, String topic, String setting, String layout) {

    private static final Duration POLL = Duration.ofMillis(200);

    /** A record read: key, value (null: a deletion) and its timestamp in epoch milliseconds. */
    interface Each {
        void accept(String key, String value, long timestamp);
    }

    /**
     * Hands every record (key, value; a null value is a deletion) to {@code each}, in order per
     * partition; returns how many there were.
     */
    long readToEnd(Duration timeout, BiConsumer<String, String> each) {
        return read(timeout, new StringDeserializer(), (consumer, partitions, end) -> consumer.seekToBeginning(partitions),
                (key, value, timestamp) -> each.accept(key, value));
    }

    /**
     * Hands the last {@code perPartition} records of each partition (fewer where a partition has
     * fewer; offsets taken by transaction markers and aborted records count too) to {@code each},
     * from there to the partition's current end (read_committed: the last committed offset); returns how
     * many. Keys only: each value is handed over as null (tweet events are not decoded).
     */
    long readTail(Duration timeout, long perPartition, Each each) {
        return read(timeout, (topic, data) -> null, (consumer, partitions, end) -> {
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            partitions.forEach(p -> consumer.seek(p, Math.max(begin.get(p), end.get(p) - perPartition)));
        }, each);
    }

    /** Where reading starts in each partition, given the partitions' current ends. */
    private interface Start {
        void seek(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> end);
    }

    private long read(Duration timeout, Deserializer<String> values, Start start, Each each) {
        Map<String, Object> config = client.clientConfig();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        long deadline = System.nanoTime() + timeout.toNanos();
        long read = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                values)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("Topic " + topic + " (" + setting + ") does not exist on "
                        + client.bootstrapServers() + ": create it with " + layout
                        + ", or let tweetstream create it (KAFKA_TOPICS_CREATE=true)");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            start.seek(consumer, partitions, end);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("the topic was not read to its end");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    each.accept(record.key(), record.value(), record.timestamp());
                    read++;
                }
            }
        } catch (KafkaException e) {
            throw new IllegalStateException(client.whatToFix(e).orElseGet(() -> "Could not read topic " + topic + " ("
                    + setting + ") from Kafka at " + client.bootstrapServers() + " within " + timeout.toSeconds()
                    + " s (" + e + "): check KAFKA_BROKERS and that the brokers are up"), e);
        }
        return read;
    }
}
