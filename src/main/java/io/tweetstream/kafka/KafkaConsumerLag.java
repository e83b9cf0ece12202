package io.tweetstream.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The consumer group's lag on the tweet topic, as the gauge {@code tweetstream.consumer.lag}: the
 * records between the committed offsets and the last committed offsets (read_committed), summed over
 * partitions, computed when scraped (at most every few seconds) with Kafka's admin client (and, for a
 * partition a few offsets behind, a read of those offsets: transaction markers are not records);
 * -1 while Kafka does not answer.
 */
public class KafkaConsumerLag implements CamelContextAware {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final Duration CACHE = Duration.ofSeconds(5);
    /** A partition this few offsets behind is read to tell records from transaction markers. */
    private static final long PROBED = 100;

    private final Clock clock = Clock.systemUTC();
    private CamelContext camelContext;
    private KafkaClientConfig clientConfig;
    private String groupId;
    private String topic;
    private Admin admin;
    private KafkaConsumer<byte[], byte[]> probe;
    private boolean closed;
    private long lastLag = -1;
    private Instant computedAt = Instant.EPOCH;

    /** Registers the gauge in the application's meter registry. */
    public void register() {
        MeterRegistry registry = camelContext.getRegistry().findSingleByType(MeterRegistry.class);
        if (registry != null) {
            Gauge.builder("tweetstream.consumer.lag", this, KafkaConsumerLag::lag)
                    .description("Records of the tweet topic not yet committed by the consumer group (-1: unknown)")
                    .tag("group", groupId).tag("topic", topic).register(registry);
        }
    }

    synchronized long lag() {
        if (closed) {
            return -1;
        }
        Instant now = clock.instant();
        if (Duration.between(computedAt, now).compareTo(CACHE) < 0) {
            return lastLag;
        }
        computedAt = now;
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin().listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            var partitions = admin().describeTopics(java.util.List.of(topic)).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            // the last committed offsets (as the read_committed consumer sees the topic): records of a
            // transaction still open are not lag yet
            var ends = admin().listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long lag = 0;
            Map<TopicPartition, long[]> small = new HashMap<>();
            for (var end : ends.entrySet()) {
                OffsetAndMetadata offset = committed.get(end.getKey());
                long from = offset == null ? 0 : offset.offset();
                long behind = end.getValue().offset() - from;
                if (behind > 0 && behind <= PROBED) {
                    small.put(end.getKey(), new long[] {from, end.getValue().offset()});
                } else {
                    lag += Math.max(0, behind);
                }
            }
            lag += recordsBetween(small);
            lastLag = lag;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            lastLag = -1;
        }
        return lastLag;
    }

    /**
     * The records (not transaction markers, not aborted records) between the committed and the end
     * offset of each partition, read with a read_committed consumer. A transaction's commit marker
     * takes an offset after its last record, and a consumer that commits "last offset + 1" leaves
     * it behind, so offsets alone would show a lag of one per partition on an idle transactional topic.
     */
    private long recordsBetween(Map<TopicPartition, long[]> ranges) {
        if (ranges.isEmpty()) {
            return 0;
        }
        KafkaConsumer<byte[], byte[]> consumer = probe();
        consumer.assign(ranges.keySet());
        ranges.forEach((partition, range) -> consumer.seek(partition, range[0]));
        long records = 0;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (ranges.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue()[1])) {
            if (System.nanoTime() > deadline) {
                // not read in time: count the offsets, as before
                return ranges.values().stream().mapToLong(range -> range[1] - range[0]).sum();
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                long[] range = ranges.get(new TopicPartition(record.topic(), record.partition()));
                if (range != null && record.offset() < range[1]) {
                    records++;
                }
            }
        }
        return records;
    }

    private KafkaConsumer<byte[], byte[]> probe() {
        if (probe == null) {
            Map<String, Object> config = clientConfig.clientConfig();
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            // a group that never committed counts from offset 0: from the log's start when 0 is gone
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, (int) PROBED);
            config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
            probe = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        return probe;
    }

    private Admin admin() {
        if (admin == null) {
            admin = KafkaAdmin.connect(clientConfig, TIMEOUT);
        }
        return admin;
    }

    public synchronized void close() {
        closed = true;
        if (probe != null) {
            probe.close(Duration.ofSeconds(2));
            probe = null;
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    public void setClientConfig(KafkaClientConfig clientConfig) {
        this.clientConfig = clientConfig;
    }

    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }
}
