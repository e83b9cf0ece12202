package io.tweetstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ids of published tweets, so that a restarted app publishes none twice: the keys of the tweet
 * topic's latest records, read back at start-up (read_committed) into a bounded cache of the latest
 * ids, then kept by this app's own adds, each made once Kafka took the tweet's record.
 *
 * <p>The tweet topic itself is the record of what was published: a tweet is on it exactly when its
 * id is, so no crash can separate the two (an earlier version wrote every id to a dedup topic of its
 * own after the tweet's acknowledgement, a second record per tweet and a window where a killed app
 * had published a tweet whose id was lost). With exactly-once publishing the read-back comes after
 * the transactions started ({@link TweetBatch}), which settles a transaction a killed run left open,
 * so it sees exactly what is committed.
 */
public class KafkaSeenTweetIds extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSeenTweetIds.class);

    /** A key read back, and when its record was written. */
    private record Seen(String id, long timestamp) {
    }

    private String topic;
    private Duration timeout = Duration.ofSeconds(30);
    private int maxCacheSize = 100_000;
    private KafkaClientConfig clientConfig;
    private Map<String, Boolean> cache;

    @Override
    protected void doStart() {
        if (topic == null || topic.isBlank() || clientConfig == null) {
            throw new IllegalArgumentException("The seen tweet ids need the tweet topic (KAFKA_TOPIC) and Kafka brokers");
        }
        cache = latest(maxCacheSize);
        long started = System.nanoTime();
        List<Seen> seen = new ArrayList<>();
        // the latest records of each partition, put in the cache oldest first, so that the cache
        // drops the oldest ids of all partitions first
        long read = new KeyedTopic(clientConfig, topic, "KAFKA_TOPIC", "its partitions (KAFKA_TOPIC_PARTITIONS)")
                .readTail(timeout, maxCacheSize, (id, value, timestamp) -> {
                    if (id != null) {
                        seen.add(new Seen(id, timestamp));
                    }
                });
        seen.sort(Comparator.comparingLong(Seen::timestamp));
        seen.forEach(s -> cache.put(s.id(), Boolean.TRUE));
        LOG.info("Dedup: {} published tweet ids read back from topic {} in {} ms; remembering the latest {}",
                cache.size(), topic, Duration.ofNanos(System.nanoTime() - started).toMillis(), maxCacheSize);
        LOG.debug("Dedup: {} records read from topic {}", read, topic);
    }

    @Override
    public boolean add(String id) {
        return cache.putIfAbsent(id, Boolean.TRUE) == null;
    }

    @Override
    public boolean contains(String id) {
        return cache.containsKey(id);
    }

    @Override
    public boolean remove(String id) {
        return cache.remove(id) != null;
    }

    @Override
    public boolean confirm(String id) {
        return true;
    }

    @Override
    public void clear() {
        cache.clear();
    }

    /**
     * The latest {@code size} ids, the oldest dropped first. (Camel's LRU cache, which
     * KafkaIdempotentRepository uses, made the add the dearest step of the ingest route's dedup.)
     */
    private static Map<String, Boolean> latest(int size) {
        return Collections.synchronizedMap(new LinkedHashMap<>(Math.min(size, 1 << 16), 0.75f) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > size;
            }
        });
    }

    @Override
    protected void doStop() {
        // nothing to close: the topic is read once, with a consumer of its own
    }

    /** The tweet topic (KAFKA_TOPIC), whose latest records' keys are read back at start-up. */
    public void setTopic(String topic) {
        this.topic = topic;
    }

    public void setMaxCacheSize(int maxCacheSize) {
        if (maxCacheSize < 1) {
            throw new IllegalArgumentException("TWEETS_DEDUP_CACHE_SIZE must be at least 1, but is " + maxCacheSize);
        }
        this.maxCacheSize = maxCacheSize;
    }

    /** How long start-up waits for Kafka to answer and for the topic to be read; 30 s by default. */
    public void setTimeoutMs(long timeoutMs) {
        this.timeout = Duration.ofMillis(timeoutMs);
    }

    /** The brokers and security settings of the consumer this repository reads with. */
    public KafkaClientConfig getClientConfig() {
        return clientConfig;
    }

    public void setClientConfig(KafkaClientConfig clientConfig) {
        this.clientConfig = clientConfig;
    }
}
