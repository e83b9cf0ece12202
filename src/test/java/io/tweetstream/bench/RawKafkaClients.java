package io.tweetstream.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The baselines: plain kafka-clients, no Camel, doing the least the routes must do. The producer
 * sends pre-serialised tweet events with the producer settings of {@code tweets-to-kafka}; the
 * consumer reads records and touches nothing but their count.
 */
final class RawKafkaClients {

    private RawKafkaClients() {
    }

    /**
     * Sends every event, keyed by its id, and returns the nanos from the first send after the
     * {@code warmup} first ones (sent and acknowledged first) to the last ack.
     */
    static long produce(String bootstrapServers, String topic, Map<String, String> producerSettings,
            List<String> keys, List<byte[]> values, int warmup, Runnable timingStarts) throws InterruptedException {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putAll(producerSettings);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long started;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            // the first send waits for the topic's metadata; outside the measurement, as for the route
            producer.partitionsFor(topic);
            for (int i = 0; i < warmup; i++) {
                producer.send(new ProducerRecord<>(topic, keys.get(i), values.get(i)));
            }
            producer.flush();
            timingStarts.run();
            started = System.nanoTime();
            for (int i = warmup; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, keys.get(i), values.get(i)), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        long elapsed = System.nanoTime() - started;
        if (failure.get() != null) {
            throw new IllegalStateException("The raw producer failed: " + failure.get(), failure.get());
        }
        return elapsed;
    }

    /**
     * Reads {@code count} records of the topic from its start, after a first consumer (another
     * group) has read {@code warmup} records to warm the JIT; returns the nanos from the first
     * record to the last (the group join before it is not the consumer's throughput; the route is
     * timed the same way). Each consumer starts with empty fetch buffers.
     */
    static long consume(String bootstrapServers, String topic, long warmup, long count, Duration timeout,
            Runnable timingStarts) {
        if (warmup > 0) {
            read(bootstrapServers, topic, warmup, timeout, () -> { });
        }
        return read(bootstrapServers, topic, count, timeout, timingStarts);
    }

    private static long read(String bootstrapServers, String topic, long count, Duration timeout,
            Runnable timingStarts) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-raw-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long started = 0;
            long read = 0;
            long bytes = 0;
            while (read < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The raw consumer read only " + read + " of " + count
                            + " records of " + topic + " within " + timeout.toSeconds() + " s");
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (started == 0 && !records.isEmpty()) {
                    timingStarts.run();
                    started = System.nanoTime();
                }
                for (var record : records) {
                    bytes += record.value().length;
                    read++;
                }
            }
            long elapsed = System.nanoTime() - started;
            if (bytes == 0) {
                throw new IllegalStateException("The raw consumer read only empty records");
            }
            return elapsed;
        }
    }
}
