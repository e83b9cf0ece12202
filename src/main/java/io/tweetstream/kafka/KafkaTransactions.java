package io.tweetstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.tweetstream.event.RejectedTweet;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.camel.component.kafka.KafkaClientFactory;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the ingest flow's batches exactly once (TWEETS_EXACTLY_ONCE): each batch's tweet records,
 * with the source's cursor when it moves, in one Kafka transaction, so a read_committed reader sees
 * all of a batch or none of it, and the dedup read-back and the cursor at the next start agree with
 * what is on the tweet topic, whenever the app stops or is killed.
 *
 * <p>One transactional producer, whose transactional id ({@code KAFKA_PRODUCER_TRANSACTIONAL_ID}, by
 * default one per source) is the same at every start: starting it fences the producer of an earlier
 * run of this source (a zombie) and completes or aborts the transaction that run left open. Batches
 * handed over concurrently (the stream's posts, a cursor saved meanwhile) share a transaction (a group
 * commit), never split one; each caller returns once its transaction is committed, and fails when it
 * is aborted, so its batch is sent again by the source's error handler and nothing is half published.
 *
 * <p>Why not camel-kafka's own transactions ({@code transacted}): in camel-kafka 4.17 the commit runs
 * when the exchange's unit of work is done, after the route's error handling, so a failed commit is
 * never retried; one producer serves every exchange of the endpoint, so concurrent exchanges would
 * begin transactions on it side by side; and after any Kafka error (a broker time-out included) it
 * closes its producer for good, which stops publishing until the app restarts.
 *
 * <p>Also the readiness check {@code kafka-transactions}: DOWN while transactions cannot start on the
 * cluster or this producer was fenced, with what to fix.
 */
public class KafkaTransactions extends AbstractHealthCheck implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTransactions.class);
    private static final int RETRY_BACKOFF_MS = 10;

    /** Records handed over together, and the outcome of the transaction that took them. */
    private record Unit(List<ProducerRecord<String, byte[]>> records, CompletableFuture<List<RecordMetadata>> outcome) {
    }

    /** The transactions of this app cannot start (or go on): what to fix is in the message. */
    public static class TransactionsUnavailable extends KafkaException {
        TransactionsUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final BlockingQueue<Unit> waiting = new LinkedBlockingQueue<>();
    /** Held while the producer is started or a transaction runs. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Runs the transactions, one after the other, each of every unit waiting when it begins. */
    private Thread committer;
    private CamelContext camelContext;
    private KafkaClientConfig clientConfig;
    private boolean enabled = true;
    private String transactionalId;
    private String topic;
    private String acks = "all";
    private boolean idempotence = true;
    private int lingerMs = 5;
    private int batchSize = 65536;
    private String compression = "lz4";
    private int deliveryTimeoutMs = 120_000;
    private int maxBlockMs = 60_000;
    private int transactionTimeoutMs = 60_000;

    private Producer<String, byte[]> producer;
    /** Why transactions cannot go on (fenced, refused), or null. */
    private volatile TransactionsUnavailable unavailable;
    private volatile boolean fenced;
    private volatile boolean stopping;

    public KafkaTransactions() {
        super("tweetstream", "kafka-transactions");
    }

    /** Init method: the settings must allow transactions when they are on. */
    public void check() {
        if (!enabled) {
            LOG.info("Exactly-once publishing is off (TWEETS_EXACTLY_ONCE=false): tweets are published without"
                    + " transactions, at least once");
            return;
        }
        if (transactionalId == null || transactionalId.isBlank()) {
            throw new IllegalArgumentException("TWEETS_EXACTLY_ONCE=true needs a transactional id: set"
                    + " KAFKA_PRODUCER_TRANSACTIONAL_ID (by default tweetstream-<source>), or TWEETS_EXACTLY_ONCE=false");
        }
        if (!"all".equals(acks) && !"-1".equals(acks)) {
            throw new IllegalArgumentException("TWEETS_EXACTLY_ONCE=true needs KAFKA_PRODUCER_ACKS=all (it is " + acks
                    + "): Kafka's transactions need every in-sync replica's acknowledgement; or set"
                    + " TWEETS_EXACTLY_ONCE=false");
        }
        if (!idempotence) {
            throw new IllegalArgumentException("TWEETS_EXACTLY_ONCE=true needs KAFKA_PRODUCER_IDEMPOTENCE=true:"
                    + " Kafka's transactions need the idempotent producer; or set TWEETS_EXACTLY_ONCE=false");
        }
        LOG.info("Exactly-once publishing (TWEETS_EXACTLY_ONCE=true): one Kafka transaction per batch, transactional"
                + " id {}", transactionalId);
    }

    /** Whether batches go through transactions (TWEETS_EXACTLY_ONCE). */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Starts the transactional producer unless it runs: fences an earlier run's producer of the same
     * transactional id and settles the transaction it left open, so what is read back afterwards
     * (read_committed) is final. Throws {@link TransactionsUnavailable} with what to fix.
     */
    public void start() {
        if (!enabled) {
            return;
        }
        lock.lock();
        try {
            producer();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The tweets-to-kafka step: the batch's records (the message's body, as {@link TweetBatch#toRecords}
     * made them) and the source's cursor ({@link SourceCursors#PENDING}, if any) in one transaction.
     * Once it is committed each record's message gets its metadata ({@link KafkaConstants#KAFKA_RECORD_META},
     * as camel-kafka notes it) and the cursor counts as written; if it is aborted, this throws and
     * nothing of the batch is visible.
     */
    public void publish(Exchange exchange) {
        List<?> body = exchange.getMessage().getBody(List.class);
        int size = body == null ? 0 : body.size();
        List<Message> messages = new ArrayList<>(size);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(size + 1);
        if (body != null) {
            for (Object element : body) {
                Message message = (Message) element;
                messages.add(message);
                records.add(new ProducerRecord<>(topic, message.getHeader(KafkaConstants.KEY, String.class),
                        message.getBody(byte[].class)));
            }
        }
        SourceCursors.Cursor cursor = exchange.getProperty(SourceCursors.PENDING, SourceCursors.Cursor.class);
        // a cursor moves past every tweet of the batch, the rejected ones too, which are parked after
        // this step: with any, the cursor is left to the source, which saves it once they are parked
        List<?> rejected = exchange.getVariable(RejectedTweet.VARIABLE, List.class);
        if (cursor != null && rejected != null && !rejected.isEmpty()) {
            cursor = null;
        }
        if (cursor != null) {
            records.add(cursor.record());
        }
        if (records.isEmpty()) {
            return;
        }
        List<RecordMetadata> metadata = commit(records);
        for (int i = 0; i < messages.size(); i++) {
            messages.get(i).setHeader(KafkaConstants.KAFKA_RECORD_META, List.of(metadata.get(i)));
        }
        if (cursor != null) {
            cursor.written();
        }
    }

    /** Sends the records in a transaction (shared with records handed over meanwhile); returns once it is committed. */
    public List<RecordMetadata> commit(List<ProducerRecord<String, byte[]>> records) {
        Unit unit = hand(records);
        try {
            return unit.outcome().join();
        } catch (CompletionException e) {
            throw retriable(e.getCause());
        }
    }

    /**
     * As {@link #commit(List)}, waiting no longer than {@code timeout} (the records may still be
     * committed later, in order with what is handed over after them).
     */
    public List<RecordMetadata> commit(List<ProducerRecord<String, byte[]>> records, Duration timeout) {
        Unit unit = hand(records);
        try {
            return unit.outcome().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw retriable(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KafkaException("Not committed within " + timeout.toSeconds() + " s (transactional id "
                    + transactionalId + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException(e);
        }
    }

    private Unit hand(List<ProducerRecord<String, byte[]>> records) {
        Unit unit = new Unit(records, new CompletableFuture<>());
        startCommitter();
        waiting.add(unit);
        if (stopping) {
            failWaiting();
        }
        return unit;
    }

    private synchronized void startCommitter() {
        if (committer == null && !stopping) {
            committer = new Thread(this::commitWaiting, "tweetstream-transactions");
            committer.setDaemon(true);
            committer.start();
        }
    }

    /**
     * The committer's loop: every unit waiting when a transaction begins goes into it, so callers that
     * hand over meanwhile (the stream's posts, a cursor) share the next one, and none waits for a turn
     * at a lock behind the others.
     */
    private void commitWaiting() {
        try {
            while (!stopping) {
                Unit first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Unit> units = new ArrayList<>();
                units.add(first);
                waiting.drainTo(units);
                lock.lock();
                try {
                    transact(units);
                } catch (Throwable e) {
                    // whatever went wrong, no caller waits for ever, and the next batch gets a transaction
                    units.forEach(unit -> unit.outcome().completeExceptionally(retriable(e)));
                    if (e instanceof Error error) {
                        throw error;
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                committer = null;
            }
            failWaiting();
        }
    }

    /** A failure as the source routes retry it (source-errors retries Kafka failures until they pass). */
    private static KafkaException retriable(Throwable failure) {
        return failure instanceof KafkaException kafka ? kafka : new KafkaException(failure.toString(), failure);
    }

    /** The app stops: batches not taken by a transaction yet fail (their sources send them again at the next start). */
    private void failWaiting() {
        KafkaException stopped = new KafkaException("The app is stopping: the batch was not published (transactional id "
                + transactionalId + ")");
        for (Unit unit = waiting.poll(); unit != null; unit = waiting.poll()) {
            unit.outcome().completeExceptionally(stopped);
        }
    }

    /** One transaction of the units' records; each unit completed with its records' metadata, or failed. */
    private void transact(List<Unit> units) {
        Producer<String, byte[]> current;
        try {
            current = producer();
        } catch (RuntimeException e) {
            units.forEach(unit -> unit.outcome().completeExceptionally(e));
            return;
        }
        List<List<Future<RecordMetadata>>> sent = new ArrayList<>(units.size());
        long began = System.nanoTime();
        try {
            current.beginTransaction();
            for (Unit unit : units) {
                List<Future<RecordMetadata>> futures = new ArrayList<>(unit.records().size());
                for (ProducerRecord<String, byte[]> record : unit.records()) {
                    futures.add(current.send(record));
                }
                sent.add(futures);
            }
            commitTransaction(current);
        } catch (OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
            // the producer cannot go on: a new one (the same transactional id) is started for the next batch
            closeProducer();
            RuntimeException failure = refused(e).map(RuntimeException.class::cast).orElse(e);
            units.forEach(unit -> unit.outcome().completeExceptionally(failure));
            return;
        } catch (RuntimeException e) {
            if (fencedBy(e)) {
                fencedOrTimedOut(e, began, units);
                return;
            }
            // InvalidProducerEpochException and the other abortable errors: abort, and the batch goes
            // again; a producer in a state Kafka reports as IllegalStateException is replaced
            abort(current, e);
            if (!(e instanceof KafkaException)) {
                closeProducer();
            }
            KafkaException failure = retriable(e);
            units.forEach(unit -> unit.outcome().completeExceptionally(failure));
            return;
        }
        for (int i = 0; i < units.size(); i++) {
            List<RecordMetadata> metadata = new ArrayList<>(sent.get(i).size());
            for (Future<RecordMetadata> future : sent.get(i)) {
                metadata.add(done(future));
            }
            units.get(i).outcome().complete(metadata);
        }
    }

    /**
     * Commits; a commit that timed out may already be completing, so it is only ever retried (Kafka's
     * producer allows nothing else then), for as long as the app runs.
     */
    private void commitTransaction(Producer<String, byte[]> current) {
        long started = System.nanoTime();
        while (true) {
            try {
                current.commitTransaction();
                return;
            } catch (TimeoutException e) {
                if (stopping) {
                    throw e;
                }
                LOG.warn("Kafka at {} has not confirmed the commit of a transaction of {} for {} s: waiting for it (its"
                        + " tweets are published once it is confirmed, and not sent again meanwhile)",
                        clientConfig.bootstrapServers(), transactionalId,
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            }
        }
    }

    /** Whether a failure (or its cause: a failed send surfaces at the commit) says this producer was fenced. */
    private static boolean fencedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fenced: by another producer of the same transactional id (for good), or, when this transaction
     * was open longer than the transaction time-out (Kafka down meanwhile), by the coordinator that
     * aborted it; then a new producer is started for the next batch.
     */
    private void fencedOrTimedOut(RuntimeException e, long began, List<Unit> units) {
        long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        if (openMs >= transactionTimeoutMs) {
            closeProducer();
            KafkaException failure = new KafkaException("The transaction of " + transactionalId + " was open " + openMs
                    + " ms, longer than KAFKA_PRODUCER_TRANSACTION_TIMEOUT_MS (" + transactionTimeoutMs + "), and Kafka"
                    + " aborted it: its batch is sent again", e);
            LOG.warn(failure.getMessage());
            units.forEach(unit -> unit.outcome().completeExceptionally(failure));
            return;
        }
        fenced(e);
        units.forEach(unit -> unit.outcome().completeExceptionally(unavailable));
    }

    /** The transaction failed: aborted, so none of it is visible; a producer that cannot abort is replaced. */
    private void abort(Producer<String, byte[]> current, RuntimeException cause) {
        try {
            current.abortTransaction();
            LOG.debug("Transaction of {} aborted: {}", transactionalId, cause.toString());
        } catch (RuntimeException e) {
            LOG.debug("Could not abort the transaction of {} ({}): the producer is replaced, which aborts it",
                    transactionalId, e.toString());
            closeProducer();
        }
    }

    private static RecordMetadata done(Future<RecordMetadata> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException(e);
        } catch (ExecutionException e) {
            throw new KafkaException(e.getCause());
        }
    }

    /** The transactional producer, started (initTransactions) when there is none; with the lock held. */
    private Producer<String, byte[]> producer() {
        if (fenced) {
            throw unavailable;
        }
        if (producer != null) {
            return producer;
        }
        if (stopping) {
            throw new KafkaException("The app is stopping: no new transactions of " + transactionalId);
        }
        Producer<String, byte[]> started = newProducer(producerProperties());
        try {
            started.initTransactions();
        } catch (RuntimeException e) {
            started.close(Duration.ZERO);
            TransactionsUnavailable failure = e instanceof ProducerFencedException ? fenced(e) : cannotStart(e);
            throw failure;
        }
        if (unavailable != null) {
            LOG.info("Kafka transactions of {} started: publishing again", transactionalId);
        }
        unavailable = null;
        producer = started;
        LOG.debug("Transactional producer {} started", transactionalId);
        return producer;
    }

    private Properties producerProperties() {
        Properties properties = new Properties();
        properties.putAll(clientConfig.clientConfig());
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, batchSize);
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, deliveryTimeoutMs));
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs);
        properties.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, transactionTimeoutMs);
        // a transaction that follows another at once finds its markers still being written
        // (CONCURRENT_TRANSACTIONS) and retries: after 10 ms, not Kafka's 100 (back-to-back
        // transactions took 26-30 ms here with 100, 15-19 ms with 10)
        properties.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, RETRY_BACKOFF_MS);
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return properties;
    }

    /** camel-kafka's client factory (its Kafka client meters), as the routes' producers get theirs. */
    @SuppressWarnings("unchecked")
    private Producer<String, byte[]> newProducer(Properties properties) {
        return clientFactory().getProducer(properties);
    }

    private KafkaClientFactory clientFactory() {
        KafkaComponent component = camelContext == null ? null : camelContext.getComponent("kafka", KafkaComponent.class);
        KafkaClientFactory factory = component == null ? null : component.getKafkaClientFactory();
        return factory != null ? factory : new DefaultKafkaClientFactory();
    }

    /** Another producer of this transactional id started: this one may not publish any more. */
    private TransactionsUnavailable fenced(RuntimeException cause) {
        closeProducer();
        if (!fenced) {
            fenced = true;
            unavailable = new TransactionsUnavailable("Another producer with the transactional id " + transactionalId
                    + " (KAFKA_PRODUCER_TRANSACTIONAL_ID) started on Kafka at " + clientConfig.bootstrapServers()
                    + ", so this instance was fenced and publishes no more: two tweetstream instances run with the same"
                    + " transactional id. Stop one of them, or give each its own KAFKA_PRODUCER_TRANSACTIONAL_ID, then"
                    + " restart this one (its batch in flight is not on Kafka)", cause);
            LOG.error(unavailable.getMessage());
        }
        return unavailable;
    }

    /** initTransactions failed: why, and what to fix. */
    private TransactionsUnavailable cannotStart(RuntimeException cause) {
        TransactionsUnavailable failure = refused(cause).orElseGet(() -> new TransactionsUnavailable(
                "Kafka at " + clientConfig.bootstrapServers() + " did not start the transactions of " + transactionalId
                        + " within " + maxBlockMs / 1000 + " s (" + cause.getMessage() + "): " + diagnose()
                        + "; or set TWEETS_EXACTLY_ONCE=false to publish without transactions", cause));
        if (unavailable == null || !unavailable.getMessage().equals(failure.getMessage())) {
            LOG.error("{}. Tweets wait meanwhile (none is lost); tried again", failure.getMessage());
        }
        unavailable = failure;
        return failure;
    }

    /** A failure the cluster's settings or permissions cause, with what to fix. */
    private java.util.Optional<TransactionsUnavailable> refused(RuntimeException cause) {
        String brokers = clientConfig.bootstrapServers();
        String message = clientConfig.whatToFix(cause).orElse(null);
        if (message == null && cause instanceof TransactionalIdAuthorizationException) {
            message = "Kafka at " + brokers + " does not allow the transactional id " + transactionalId + " ("
                    + cause.getMessage() + "): grant tweetstream's principal WRITE and DESCRIBE on TransactionalId "
                    + transactionalId + " (or set KAFKA_PRODUCER_TRANSACTIONAL_ID to one it may use), or set"
                    + " TWEETS_EXACTLY_ONCE=false";
        } else if (message == null && cause instanceof AuthorizationException) {
            message = "Kafka at " + brokers + " refuses tweetstream's transactional writes (" + cause.getMessage()
                    + "): grant its principal WRITE on the topics and IDEMPOTENT_WRITE on the cluster, or set"
                    + " TWEETS_EXACTLY_ONCE=false";
        } else if (message == null && cause instanceof UnsupportedVersionException) {
            message = "Kafka at " + brokers + " does not support transactions (" + cause.getMessage() + "): use"
                    + " brokers of Kafka 0.11 or later with transactions enabled, or set TWEETS_EXACTLY_ONCE=false";
        }
        return java.util.Optional.ofNullable(message).map(m -> new TransactionsUnavailable(m, cause));
    }

    /**
     * Why a cluster that answers starts no transaction: most often a transaction state log that
     * needs more brokers than there are (transaction.state.log.replication.factor, by default 3).
     */
    private String diagnose() {
        try (Admin admin = KafkaAdmin.connect(clientConfig, Duration.ofSeconds(5))) {
            DescribeClusterResult cluster = admin.describeCluster();
            List<Node> nodes = new ArrayList<>(cluster.nodes().get(5, TimeUnit.SECONDS));
            if (nodes.isEmpty()) {
                return "no broker answers (check KAFKA_BROKERS)";
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, nodes.get(0).idString());
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(broker)).all().get(5, TimeUnit.SECONDS);
            Config config = configs.get(broker);
            int replication = intValue(config.get("transaction.state.log.replication.factor"));
            int minIsr = intValue(config.get("transaction.state.log.min.isr"));
            if (replication > nodes.size() || minIsr > nodes.size()) {
                return "its transaction state log needs " + Math.max(replication, minIsr) + " brokers"
                        + " (transaction.state.log.replication.factor=" + replication + ", transaction.state.log.min.isr="
                        + minIsr + ") but the cluster has " + nodes.size() + ": set both to at most " + nodes.size()
                        + " on the brokers (KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR and"
                        + " KAFKA_TRANSACTION_STATE_LOG_MIN_ISR in the Kafka image), and restart them";
            }
            return "the cluster (" + nodes.size() + " broker(s)) answers but its transaction coordinator does not;"
                    + " check the brokers' logs and that transactions are allowed";
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return "no broker answers (check KAFKA_BROKERS and that the brokers are up)";
        }
    }

    private static int intValue(ConfigEntry entry) {
        try {
            return entry == null || entry.value() == null ? -1 : Integer.parseInt(entry.value());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("Closing the transactional producer {}: {}", transactionalId, e.toString());
            }
            producer = null;
        }
    }

    /** Destroy method: the producer closed once the transaction in progress, if any, is over. */
    public void close() {
        stopping = true;
        Thread running;
        synchronized (this) {
            running = committer;
        }
        if (running != null) {
            try {
                running.join(Math.max(10_000, maxBlockMs));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        failWaiting();
        lock.lock();
        try {
            if (producer != null) {
                producer.close(Duration.ofSeconds(10));
                producer = null;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("enabled", enabled);
        if (!enabled) {
            builder.up();
            return;
        }
        builder.detail("transactionalId", transactionalId);
        TransactionsUnavailable failure = unavailable;
        if (failure != null) {
            builder.message(failure.getMessage()).down();
        } else {
            builder.up();
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

    /** TWEETS_EXACTLY_ONCE: true or false, nothing else. */
    public void setEnabled(String enabled) {
        String value = enabled == null ? "" : enabled.strip();
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("TWEETS_EXACTLY_ONCE must be true or false, not '" + enabled + "'");
        }
        this.enabled = Boolean.parseBoolean(value);
    }

    public void setTransactionalId(String transactionalId) {
        this.transactionalId = transactionalId == null ? null : transactionalId.strip();
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public void setAcks(String acks) {
        this.acks = acks == null ? "all" : acks.strip();
    }

    public void setIdempotence(boolean idempotence) {
        this.idempotence = idempotence;
    }

    public void setLingerMs(int lingerMs) {
        this.lingerMs = lingerMs;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public void setCompression(String compression) {
        this.compression = compression;
    }

    public void setDeliveryTimeoutMs(int deliveryTimeoutMs) {
        this.deliveryTimeoutMs = deliveryTimeoutMs;
    }

    /** How long starting the transactions and a commit may block before they are reported. */
    public void setMaxBlockMs(int maxBlockMs) {
        this.maxBlockMs = maxBlockMs;
    }

    public void setTransactionTimeoutMs(int transactionTimeoutMs) {
        this.transactionTimeoutMs = transactionTimeoutMs;
    }
}
