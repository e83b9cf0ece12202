package io.tweetstream.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tweetstream.event.TweetEvent;
import io.tweetstream.event.TweetJson;
import io.tweetstream.event.TweetNormalizer;
import io.tweetstream.metrics.TweetMeters;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * The bookkeeping of a batch of tweet events on its way to Kafka in tweets-to-kafka: which of them
 * were published before (dropped), the Kafka record of each (marshalled, keyed by tweet id), and which
 * Kafka acknowledged (published from then on).
 *
 * <p>An id counts as published only once Kafka acknowledged its record: camel-kafka sends a batch's
 * records one by one and notes each answer on its message ({@link KafkaConstants#KAFKA_RECORD_META}, with
 * an offset when Kafka took the record, offset -1 when it failed),
 * so when a send fails part-way the records Kafka took are remembered here, and the batch sent again
 * (by the source route's error handler) publishes only those it did not take. An id in flight in
 * another exchange counts as seen, so two exchanges never publish the same tweet side by side. With
 * exactly-once publishing ({@link KafkaTransactions}) a record counts as acknowledged once its
 * transaction is committed; an aborted batch has none, and is sent again whole.
 */
public class TweetBatch {

    /** The exchange property holding the ids this exchange has in flight. */
    static final String IN_FLIGHT = "tweetstream.tweetIdsInFlight";

    private final ObjectMapper json = TweetJson.objectMapper();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private IdempotentRepository repository;
    private KafkaTransactions transactions;
    private TweetMeters tweetMeters;
    private volatile boolean started;

    /** The events whose id was neither published before nor is in flight elsewhere, each once; the others counted. */
    public List<TweetEvent> dropPublished(@Body List<TweetEvent> events,
            @ExchangeProperty(TweetNormalizer.SOURCE_PROPERTY) String source, Exchange exchange) {
        start();
        List<TweetEvent> fresh = new ArrayList<>(events.size());
        List<String> held = new ArrayList<>(events.size());
        exchange.setProperty(IN_FLIGHT, held);
        for (TweetEvent event : events) {
            String id = event.id();
            // in flight first, then published: an id another exchange publishes and releases in
            // between is seen by one of the two checks
            if (!inFlight.add(id)) {
                tweetMeters.duplicate(source);
            } else if (repository.contains(id)) {
                inFlight.remove(id);
                tweetMeters.duplicate(source);
            } else {
                held.add(id);
                fresh.add(event);
            }
        }
        return fresh;
    }

    /** The Kafka record of each event: its JSON (UTF-8) as the value, its tweet id as the key. */
    public List<Message> toRecords(@Body List<TweetEvent> events, Exchange exchange) throws JsonProcessingException {
        List<Message> records = new ArrayList<>(events.size());
        for (TweetEvent event : events) {
            Message record = new DefaultMessage(exchange.getContext());
            record.setBody(json.writeValueAsBytes(event));
            record.setHeader(KafkaConstants.KEY, event.id());
            records.add(record);
        }
        return records;
    }

    /**
     * After the send, whether it succeeded or not: every record Kafka acknowledged is published (its
     * id remembered, counted); the exchange's ids are no longer in flight.
     */
    public void acknowledged(@ExchangeProperty(TweetNormalizer.SOURCE_PROPERTY) String source, Exchange exchange) {
        long published = 0;
        try {
            if (exchange.getMessage().getBody() instanceof List<?> records) {
                for (Object record : records) {
                    if (record instanceof Message message && acknowledged(message)) {
                        repository.add(message.getHeader(KafkaConstants.KEY, String.class));
                        published++;
                    }
                }
            }
        } finally {
            tweetMeters.published(source, published);
            @SuppressWarnings("unchecked")
            List<String> held = exchange.getProperty(IN_FLIGHT, List.class);
            if (held != null) {
                held.forEach(inFlight::remove);
                exchange.removeProperty(IN_FLIGHT);
            }
        }
    }

    /**
     * Whether Kafka acknowledged the record: camel-kafka notes the record metadata on its message
     * also when the send failed, and Kafka's producer then reports offset -1 (no offset).
     */
    private static boolean acknowledged(Message record) {
        List<?> metadata = record.getHeader(KafkaConstants.KAFKA_RECORD_META, List.class);
        return metadata != null && !metadata.isEmpty()
                && metadata.stream().allMatch(m -> m instanceof RecordMetadata meta && meta.hasOffset());
    }

    /**
     * At the first batch: the transactions (exactly-once publishing), which settle what a killed run
     * left open, then the repository, which reads the published ids back from Kafka, so it reads what
     * is final (as Camel's idempotent consumer, it starts the repository itself).
     */
    private void start() {
        if (!started) {
            synchronized (this) {
                if (!started) {
                    if (transactions != null) {
                        transactions.start();
                    }
                    try {
                        ServiceHelper.startService(repository);
                    } catch (RuntimeException e) {
                        // Kafka down, the tweet topic missing: the batch waits and is sent again
                        // (source-errors), nothing is lost; the message says what to fix
                        throw e instanceof KafkaException ? e : new KafkaException(rootMessage(e), e);
                    }
                    started = true;
                }
            }
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof RuntimeCamelException)) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** Destroy method: the repository stopped, if a batch started it. */
    public void close() {
        if (started) {
            ServiceHelper.stopService(repository);
        }
    }

    public void setRepository(IdempotentRepository repository) {
        this.repository = repository;
    }

    /** The transactions of exactly-once publishing, started before the repository reads back. */
    public void setTransactions(KafkaTransactions transactions) {
        this.transactions = transactions;
    }

    public void setTweetMeters(TweetMeters tweetMeters) {
        this.tweetMeters = tweetMeters;
    }
}
