package io.tweetstream.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where polling sources keep their cursor (how far they have published), durably: a compacted Kafka
 * topic with one record per cursor, keyed by source and query. The cursors live with the data they
 * describe, so a restarted app, on this machine or another, with the embedded broker or a cluster,
 * goes on where the last run stopped.
 *
 * <p>The topic is read to its end once, at the first {@link #read}; afterwards this instance is its
 * only writer and keeps what it wrote. {@link #write} returns once Kafka has acknowledged the record
 * ({@code acks=all}), and fails otherwise: a cursor is never taken as saved when it is not. With
 * exactly-once publishing on ({@link KafkaTransactions}) a cursor is written in a Kafka transaction:
 * one that moves with a batch of tweets ({@link #pending}) in that batch's transaction, so the
 * tweets and the cursor that covers them are visible together or not at all.
 */
public class SourceCursors {

    /** The exchange property of a cursor to publish with the exchange's batch, in its transaction. */
    public static final String PENDING = "tweetstream.pendingCursor";

    /** A cursor that moves with a batch: written by the batch's transaction, or afterwards by {@link #write}. */
    public static final class Cursor {
        private final String topic;
        private final String key;
        private final String value;
        private volatile boolean written;

        Cursor(String topic, String key, String value) {
            this.topic = topic;
            this.key = key;
            this.value = value;
        }

        ProducerRecord<String, byte[]> record() {
            return new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8));
        }

        /** The transaction that published the batch wrote it too. */
        void written() {
            written = true;
        }

        public boolean isWritten() {
            return written;
        }

        public String key() {
            return key;
        }

        public String value() {
            return value;
        }
    }

    private KafkaClientConfig clientConfig;
    private KafkaTransactions transactions;
    private String topic;
    private Duration timeout = Duration.ofSeconds(15);
    private Map<String, String> cursors;
    private KafkaProducer<String, String> producer;

    /** The cursor saved under {@code key}, if any. Reads the topic at the first call. */
    public synchronized Optional<String> read(String key) {
        if (cursors == null) {
            cursors = readAll();
        }
        return Optional.ofNullable(cursors.get(key));
    }

    /** A cursor to publish with a batch ({@link #PENDING}): the batch's transaction writes it, if there is one. */
    public Cursor pending(String key, String value) {
        return new Cursor(topic, key, value);
    }

    /** Saves a cursor that moved with a batch, unless the batch's transaction wrote it already. */
    public synchronized void save(Cursor cursor) {
        if (cursor.isWritten()) {
            remember(cursor.key(), cursor.value());
        } else {
            write(cursor.key(), cursor.value());
        }
    }

    /**
     * Saves a cursor; returns once Kafka has acknowledged it (in a committed transaction, with
     * exactly-once publishing on).
     */
    public synchronized void write(String key, String value) {
        if (transactions != null && transactions.enabled()) {
            try {
                transactions.commit(java.util.List.of(pending(key, value).record()), timeout.multipliedBy(2));
            } catch (RuntimeException e) {
                throw new IllegalStateException("Could not save the cursor " + key + " to topic " + topic + " on "
                        + bootstrapServers() + ": " + e.getMessage(), e);
            }
            remember(key, value);
            return;
        }
        try {
            producer().send(new ProducerRecord<>(topic, key, value)).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Could not save the cursor " + key + " to topic " + topic + " on "
                    + bootstrapServers() + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while saving the cursor " + key, e);
        }
        remember(key, value);
    }

    private void remember(String key, String value) {
        if (cursors != null) {
            cursors.put(key, value);
        }
    }

    private Map<String, String> readAll() {
        Map<String, String> read = new HashMap<>();
        new KeyedTopic(clientConfig, topic, "TWEETS_CURSORS_TOPIC", "1 partition and cleanup.policy=compact")
                .readToEnd(timeout, (key, value) -> {
                    if (value == null) {
                        read.remove(key);
                    } else {
                        read.put(key, value);
                    }
                });
        return read;
    }

    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>(clientConfig.clientConfig());
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() * 2);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    /** The brokers and security settings of the app's Kafka clients. */
    public KafkaClientConfig getClientConfig() {
        return clientConfig;
    }

    public void setClientConfig(KafkaClientConfig clientConfig) {
        this.clientConfig = clientConfig;
    }

    private String bootstrapServers() {
        return clientConfig.bootstrapServers();
    }

    /** The transactions of exactly-once publishing, which cursors are written in when they are on. */
    public void setTransactions(KafkaTransactions transactions) {
        this.transactions = transactions;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public void setTimeoutMs(long timeoutMs) {
        this.timeout = Duration.ofMillis(timeoutMs);
    }
}
