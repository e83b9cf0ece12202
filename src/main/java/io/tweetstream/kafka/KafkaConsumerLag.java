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
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer group's lag on the tweet topic, as the gauge {@code tweetstream.consumer.lag}: end
 * offsets minus committed offsets, summed over partitions, computed when scraped (at most every
 * few seconds) with Kafka's admin client; -1 while Kafka does not answer.
 */
public class KafkaConsumerLag implements CamelContextAware {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final Duration CACHE = Duration.ofSeconds(5);

    private final Clock clock = Clock.systemUTC();
    private CamelContext camelContext;
    private KafkaClientConfig clientConfig;
    private String groupId;
    private String topic;
    private Admin admin;
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
            for (var end : ends.entrySet()) {
                OffsetAndMetadata offset = committed.get(end.getKey());
                lag += end.getValue().offset() - (offset == null ? 0 : offset.offset());
            }
            lastLag = lag;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            lastLag = -1;
        }
        return lastLag;
    }

    private Admin admin() {
        if (admin == null) {
            admin = KafkaAdmin.connect(clientConfig, TIMEOUT);
        }
        return admin;
    }

    public synchronized void close() {
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
