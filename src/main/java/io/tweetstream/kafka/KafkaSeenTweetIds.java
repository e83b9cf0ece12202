package io.tweetstream.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ids of published tweets, kept in a Kafka topic so that a restarted app publishes none twice:
 * read back at start-up into a bounded cache of the latest ids, then kept by this app's own adds.
 *
 * <p>Same topic format as Camel's {@code KafkaIdempotentRepository} (key: the id, value:
 * {@code add}, {@code remove} or {@code clear}), so either reads the other's topic. Unlike it, an
 * add does not wait for Kafka: that repository sends each id synchronously and unbatched, which
 * capped the ingest route at about 1,400 tweets/s here. The ids are sent batched and compressed,
 * and the route has already waited for the tweet's own record to be acknowledged before it adds
 * the id. A crash (SIGKILL) between the two loses the ids still on their way: at start-up the
 * tweet topic's records since the last id recorded (a minute more, for the ids in flight) are read
 * back too, so a tweet on Kafka counts as published even when its id never reached the topic, and
 * its id is recorded then.
 */
public class KafkaSeenTweetIds extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSeenTweetIds.class);
    private static final String ADD = "add";
    private static final String REMOVE = "remove";
    private static final String CLEAR = "clear";

    private final AtomicLong failedWrites = new AtomicLong();
    private String topic;
    private String tweetTopic;
    /** How far before the last recorded id the tweet topic is read back: ids in flight at a crash. */
    private static final long IN_FLIGHT_MARGIN_MS = 60_000;
    private long lastRecorded = -1;
    private Duration timeout = Duration.ofSeconds(30);
    private int maxCacheSize = 100_000;
    private KafkaClientConfig clientConfig;
    private Map<String, Boolean> cache;
    private KafkaProducer<String, String> producer;

    @Override
    protected void doStart() {
        if (topic == null || topic.isBlank() || clientConfig == null) {
            throw new IllegalArgumentException("The seen tweet ids need a topic (TWEETS_DEDUP_TOPIC) and Kafka brokers");
        }
        cache = latest(maxCacheSize);
        long started = System.nanoTime();
        long read = new KeyedTopic(clientConfig, topic, "TWEETS_DEDUP_TOPIC", "1 partition")
                .readSince(timeout, -1, (id, action, timestamp) -> {
                    apply(id, action);
                    lastRecorded = Math.max(lastRecorded, timestamp);
                });
        LOG.info("Dedup: {} published tweet ids read back from topic {} in {} ms; remembering the latest {}", read,
                topic, Duration.ofNanos(System.nanoTime() - started).toMillis(), maxCacheSize);
        java.util.List<String> unrecorded = unrecordedIds();
        Map<String, Object> config = clientConfig.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        unrecorded.forEach(id -> write(id, ADD));
    }

    /**
     * The ids of the tweet topic's records since the last recorded id (less the margin) that the
     * dedup topic lacks: published just before a crash, their ids lost on the way. Put in the cache.
     */
    private java.util.List<String> unrecordedIds() {
        java.util.List<String> unrecorded = new java.util.ArrayList<>();
        if (tweetTopic == null || tweetTopic.isBlank() || lastRecorded < 0) {
            return unrecorded;
        }
        new KeyedTopic(clientConfig, tweetTopic, "KAFKA_TOPIC", "its partitions (KAFKA_TOPIC_PARTITIONS)")
                .readSince(timeout, Math.max(0, lastRecorded - IN_FLIGHT_MARGIN_MS), (id, event, timestamp) -> {
                    if (id != null && cache.putIfAbsent(id, Boolean.TRUE) == null) {
                        unrecorded.add(id);
                    }
                });
        if (!unrecorded.isEmpty()) {
            LOG.info("Dedup: {} tweet id(s) on topic {} were not recorded in {} (the app stopped before their ids"
                    + " were written): recorded now, so none of them is published twice", unrecorded.size(), tweetTopic,
                    topic);
        }
        return unrecorded;
    }

    private void apply(String id, String action) {
        if (ADD.equals(action) && id != null) {
            cache.put(id, Boolean.TRUE);
        } else if (REMOVE.equals(action) && id != null) {
            cache.remove(id);
        } else if (CLEAR.equals(action)) {
            cache.clear();
        }
    }

    @Override
    public boolean add(String id) {
        if (cache.putIfAbsent(id, Boolean.TRUE) != null) {
            return false;
        }
        write(id, ADD);
        return true;
    }

    @Override
    public boolean contains(String id) {
        return cache.containsKey(id);
    }

    @Override
    public boolean remove(String id) {
        cache.remove(id);
        write(id, REMOVE);
        return true;
    }

    @Override
    public boolean confirm(String id) {
        return true;
    }

    @Override
    public void clear() {
        cache.clear();
        write(null, CLEAR);
    }

    private void write(String id, String action) {
        producer.send(new ProducerRecord<>(topic, id, action), (metadata, e) -> {
            if (e != null && failedWrites.getAndIncrement() % 1000 == 0) {
                LOG.warn("Dedup: could not record tweet id {} in topic {} ({}); it may be published once more after a"
                        + " restart. {} such failures so far", id, topic, e.getMessage(), failedWrites.get());
            }
        });
    }

    /**
     * The latest {@code size} ids, the oldest dropped first. (Camel's LRU cache, which
     * KafkaIdempotentRepository uses, made the add the dearest step of the ingest route's dedup.)
     */
    private static Map<String, Boolean> latest(int size) {
        return java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(Math.min(size, 1 << 16), 0.75f) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > size;
            }
        });
    }

    @Override
    protected void doStop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    /** The tweet topic (KAFKA_TOPIC), whose latest records are read back at start-up. */
    public void setTweetTopic(String tweetTopic) {
        this.tweetTopic = tweetTopic;
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

    /** The brokers and security settings of the clients this repository opens. */
    public KafkaClientConfig getClientConfig() {
        return clientConfig;
    }

    public void setClientConfig(KafkaClientConfig clientConfig) {
        this.clientConfig = clientConfig;
    }
}
