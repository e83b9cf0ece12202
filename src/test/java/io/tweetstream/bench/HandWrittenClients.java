package io.tweetstream.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tweetstream.event.TweetEvent;
import io.tweetstream.event.TweetEventReader;
import io.tweetstream.event.TweetJson;
import io.tweetstream.event.TweetLogContext;
import io.tweetstream.event.TweetNormalizer;
import io.tweetstream.kafka.KafkaClientConfig;
import io.tweetstream.kafka.KafkaSeenTweetIds;
import io.tweetstream.metrics.TweetMeters;
import io.tweetstream.source.sample.SampleTweetSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jsonvalidator.DefaultJsonUriSchemaLoader;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import twitter4j.v1.Status;

/**
 * The anchors a competent engineer would write instead of the routes: plain kafka-clients code doing
 * exactly the routes' work, no Camel on the per-tweet path (the product's own beans where the route
 * calls them: the sample source, the normaliser, the dedup repository, the meters, the event mapper and
 * the schema).
 *
 * <ul>
 * <li>{@link #ingest}: what sample-source and tweets-to-kafka do. The sample source (looping, so every
 * tweet has a fresh id, as in the ingest route phase) in batches of {@code tweets.sample.max-batch};
 * per tweet the route's {@link TweetNormalizer#normalize} call, the dedup check of the route's
 * repository ({@link KafkaSeenTweetIds}: {@code contains} before the send, {@code add} once Kafka
 * acknowledged the record, as the idempotent consumer with {@code eager: false} does), the event
 * marshalled with {@link TweetJson#objectMapper()}, sent keyed by tweet id with the route's producer
 * settings. One thread, sends asynchronous (the route splits a batch in parallel instead).</li>
 * <li>{@link #consume}: what kafka-to-log and process-tweet do. A poll loop, auto-commit off, at most
 * 500 records a poll; per record one Jackson parse, the tree validated against
 * {@code schema/tweet-event.schema.json} (loaded as {@link TweetEventReader} loads it, same library),
 * bound to {@link TweetEvent}, counted with freshness by {@link TweetMeters#consumed} (as the route),
 * the route's log line on the logger {@code tweetstream.tweets} at INFO with the tweet id in the MDC
 * (as the route's log listener puts it); after each poll a {@code commitSync} of the next offsets of
 * the processed records, per partition.</li>
 * </ul>
 */
final class HandWrittenClients {

    /** The logger of process-tweet's log line, so the same appender (in the bench, the console: app.log). */
    private static final Logger TWEETS = LoggerFactory.getLogger("tweetstream.tweets");

    private HandWrittenClients() {
    }

    /**
     * Ingests {@code warmup + records} sample tweets to {@code topic}; returns the nanos from the first
     * tweet after the warm-up (whose records are acknowledged first) to the last ack.
     */
    static long ingest(String bootstrapServers, String topic, int seenIdsCacheSize, int maxBatch,
            boolean transactions, Map<String, String> producerSettings, int warmup, int records, Runnable timingStarts)
            throws Exception {
        int total = warmup + records;
        KafkaSeenTweetIds seen = new KafkaSeenTweetIds();
        seen.setTopic(topic);
        seen.setMaxCacheSize(seenIdsCacheSize);
        seen.setClientConfig(KafkaClientConfig.plaintext(bootstrapServers));
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putAll(producerSettings);
        if (transactions) {
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + topic);
        }
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        long duplicates = 0;
        long started = 0;
        try (CamelContext context = new DefaultCamelContext()) {
            SampleTweetSource source = new SampleTweetSource();
            source.setCamelContext(context);
            source.setRate(0);
            source.setLoop(true);
            source.setMaxBatch(maxBatch);
            source.setLimit(total);
            source.start();
            TweetNormalizer normalizer = new TweetNormalizer();
            ObjectMapper json = TweetJson.objectMapper();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                    new ByteArraySerializer())) {
                // as the route: the transactions first, then the ids read back
                if (transactions) {
                    producer.initTransactions();
                }
                seen.start();
                // the first send waits for the topic's metadata; outside the measurement, as for the route
                producer.partitionsFor(topic);
                int handled = 0;
                while (handled < total) {
                    List<Status> batch = source.nextBatch();
                    if (batch.isEmpty()) {
                        throw new IllegalStateException("The sample source ran dry after " + handled + " tweets");
                    }
                    // one transaction per batch, as the route's; its ids count as published once it is committed
                    List<String> sent = new ArrayList<>(batch.size());
                    if (transactions) {
                        producer.beginTransaction();
                    }
                    for (Status status : batch) {
                        if (handled++ == warmup) {
                            if (transactions && !sent.isEmpty()) {
                                producer.commitTransaction();
                                published(seen, sent, acked);
                                producer.beginTransaction();
                            }
                            producer.flush();
                            timingStarts.run();
                            started = System.nanoTime();
                        }
                        TweetEvent event = normalizer.normalize(status, "sample");
                        String id = event.id();
                        if (seen.contains(id)) {
                            duplicates++;
                            continue;
                        }
                        sent.add(id);
                        producer.send(new ProducerRecord<>(topic, id, json.writeValueAsBytes(event)), (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                    }
                    if (transactions) {
                        producer.commitTransaction();
                    } else {
                        producer.flush();
                    }
                    published(seen, sent, acked);
                }
            }
        } finally {
            seen.stop();
        }
        long elapsed = System.nanoTime() - started;
        if (failure.get() != null) {
            throw new IllegalStateException("The hand-written ingest failed: " + failure.get(), failure.get());
        }
        if (duplicates > 0 || acked.get() != total) {
            throw new IllegalStateException("The hand-written ingest published " + acked.get() + " records and dropped "
                    + duplicates + " as duplicates; expected exactly " + total);
        }
        return elapsed;
    }

    private static void published(KafkaSeenTweetIds seen, List<String> ids, AtomicLong acked) {
        ids.forEach(seen::add);
        acked.addAndGet(ids.size());
        ids.clear();
    }

    /**
     * Consumes {@code warmup + records} records of {@code topic} from its start in a fresh group;
     * returns the nanos from the record after which timing started (the warm-up's last, or the first
     * record: the group join is not timed, as for the route) to the last record processed.
     */
    static long consume(String bootstrapServers, String topic, String group, long warmup, long records,
            Duration timeout, Runnable timingStarts) throws Exception {
        long total = warmup + records;
        long timingAfter = Math.max(1, warmup);
        try (CamelContext context = new DefaultCamelContext()) {
            // the route's meters in a registry of their own (the route's counters are those of its Camel context)
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME,
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            context.start();
            TweetMeters meters = new TweetMeters();
            meters.setCamelContext(context);
            JsonSchema schema = new DefaultJsonUriSchemaLoader().createSchema(context, TweetEventReader.SCHEMA);
            ObjectMapper json = TweetJson.objectMapper();
            Properties config = new Properties();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(topic));
                Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
                long deadline = System.nanoTime() + timeout.toNanos();
                long read = 0;
                long started = 0;
                long done = 0;
                while (read < total) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("The hand-written consumer read only " + read + " of " + total
                                + " records of " + topic + " within " + timeout.toSeconds() + " s");
                    }
                    ConsumerRecords<String, byte[]> polled = consumer.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<String, byte[]> record : polled) {
                        process(record.value(), json, schema, meters);
                        processed.put(new TopicPartition(record.topic(), record.partition()),
                                new OffsetAndMetadata(record.offset() + 1));
                        read++;
                        if (read == timingAfter) {
                            timingStarts.run();
                            started = System.nanoTime();
                        } else if (read == total) {
                            done = System.nanoTime();
                        }
                    }
                    if (!processed.isEmpty()) {
                        consumer.commitSync(processed);
                        processed.clear();
                    }
                }
                return (done == 0 ? System.nanoTime() : done) - started;
            }
        }
    }

    private static void process(byte[] value, ObjectMapper json, JsonSchema schema, TweetMeters meters)
            throws Exception {
        JsonNode tree = value == null || value.length == 0 ? null : json.readTree(value);
        if (tree == null || tree.isMissingNode()) {
            throw new IllegalStateException("A record without a JSON value");
        }
        Set<ValidationMessage> errors = schema.validate(tree);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("Not a valid tweet event: " + errors);
        }
        TweetEvent event = json.treeToValue(tree, TweetEvent.class);
        meters.consumed(event);
        MDC.put(TweetLogContext.TWEET_ID, event.id());
        TWEETS.info("tweet {} by @{}: {}", event.id(), event.user() != null ? event.user().screenName() : null,
                new String(value, StandardCharsets.UTF_8));
        MDC.remove(TweetLogContext.TWEET_ID);
    }
}
