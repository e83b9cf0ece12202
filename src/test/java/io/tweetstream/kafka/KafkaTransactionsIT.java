package io.tweetstream.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.tweetstream.TopicReader;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Exactly-once publishing on a real broker: all of a batch or none, shared commits, fencing, refusals. */
class KafkaTransactionsIT {

    @TempDir
    static Path dataDir;
    private static EmbeddedKafkaBroker broker;
    private static CamelContext context;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 1);
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of("tx-tweets", 3, "tx-cursors", 1, "tx-shared", 3,
                "tx-aborted", 1, "tx-fenced", 1, "tx-rejected", 1));
        context = new DefaultCamelContext();
        context.start();
    }

    @AfterAll
    static void stop() throws Exception {
        context.close();
        broker.close();
    }

    @Test
    void aBatchAndItsCursorAreCommittedTogetherAndTheMessagesGetTheirMetadata() {
        KafkaTransactions transactions = transactions("tx-batch", "tx-tweets");
        SourceCursors cursors = new SourceCursors();
        cursors.setTopic("tx-cursors");
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(List.of(record("1"), record("2"), record("3")));
        SourceCursors.Cursor cursor = cursors.pending("x-v2-search:kafka", "{\"sinceId\":\"3\"}");
        exchange.setProperty(SourceCursors.PENDING, cursor);

        transactions.publish(exchange);

        // a commit returns before Kafka has written its markers: read_committed readers see it a moment later
        committed("tx-tweets", keys -> assertThat(keys).containsExactlyInAnyOrder("1", "2", "3"));
        committed("tx-cursors", keys -> assertThat(keys).containsExactly("x-v2-search:kafka"));
        assertThat(cursor.isWritten()).isTrue();
        for (Object message : exchange.getMessage().getBody(List.class)) {
            List<?> metadata = ((Message) message).getHeader(KafkaConstants.KAFKA_RECORD_META, List.class);
            assertThat(metadata).singleElement().satisfies(m -> assertThat(((RecordMetadata) m).hasOffset()).isTrue());
        }
        transactions.close();
    }

    @Test
    void aBatchWithARejectedTweetLeavesItsCursorToTheSourceWhichSavesItOnceTheTweetIsParked() {
        KafkaTransactions transactions = transactions("tx-rejected", "tx-rejected");
        SourceCursors cursors = new SourceCursors();
        cursors.setTopic("tx-cursors");
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(List.of(record("rejected-batch-1")));
        exchange.setVariable(io.tweetstream.event.RejectedTweet.VARIABLE, List.of("a tweet without a user"));
        SourceCursors.Cursor cursor = cursors.pending("x-v2-search:rejected", "{\"sinceId\":\"9\"}");
        exchange.setProperty(SourceCursors.PENDING, cursor);

        transactions.publish(exchange);

        committed("tx-rejected", keys -> assertThat(keys).containsExactly("rejected-batch-1"));
        assertThat(cursor.isWritten()).as("a crash before the rejected tweet is parked must not skip it").isFalse();
        assertThat(TopicReader.keys(broker.bootstrapServers(), "tx-cursors")).doesNotContain("x-v2-search:rejected");
        transactions.close();
    }

    @Test
    void batchesHandedOverTogetherAreAllCommittedEachOnce() throws Exception {
        KafkaTransactions transactions = transactions("tx-shared", "tx-shared");
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            List<Future<List<RecordMetadata>>> outcomes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String id = Integer.toString(i);
                outcomes.add(callers.submit(() -> transactions.commit(List.of(
                        new ProducerRecord<>("tx-shared", id, id.getBytes(StandardCharsets.UTF_8))))));
            }
            for (Future<List<RecordMetadata>> outcome : outcomes) {
                assertThat(outcome.get()).singleElement().satisfies(m -> assertThat(m.hasOffset()).isTrue());
            }
        } finally {
            callers.shutdownNow();
            transactions.close();
        }
        committed("tx-shared", keys -> assertThat(keys).hasSize(200).doesNotHaveDuplicates());
    }

    @Test
    void aBatchWithARecordKafkaRefusesIsAbortedWholeAndTheNextBatchIsPublished() {
        KafkaTransactions transactions = transactions("tx-aborted", "tx-aborted");
        byte[] tooLarge = new byte[2 * 1024 * 1024];

        assertThatThrownBy(() -> transactions.commit(List.of(
                new ProducerRecord<>("tx-aborted", "good", "{}".getBytes(StandardCharsets.UTF_8)),
                new ProducerRecord<>("tx-aborted", "too-large", tooLarge))))
                .hasStackTraceContaining("RecordTooLargeException");
        transactions.commit(List.of(new ProducerRecord<>("tx-aborted", "next", "{}".getBytes(StandardCharsets.UTF_8))));

        committed("tx-aborted", keys -> assertThat(keys).as("the good record of the aborted batch is not visible").containsExactly("next"));
        transactions.close();
    }

    @Test
    void aSecondInstanceWithTheSameTransactionalIdFencesTheFirstWhichSaysWhatToFix() {
        KafkaTransactions first = transactions("tx-fenced", "tx-fenced");
        first.commit(List.of(new ProducerRecord<>("tx-fenced", "a", new byte[] {1})));
        KafkaTransactions second = transactions("tx-fenced", "tx-fenced");
        second.start();

        assertThatThrownBy(() -> first.commit(List.of(new ProducerRecord<>("tx-fenced", "b", new byte[] {1}))))
                .isInstanceOf(KafkaTransactions.TransactionsUnavailable.class)
                .hasMessageContaining("transactional id tx-fenced (KAFKA_PRODUCER_TRANSACTIONAL_ID)")
                .hasMessageContaining("was fenced").hasMessageContaining("give each its own KAFKA_PRODUCER_TRANSACTIONAL_ID");
        assertThat(first.call().getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThatThrownBy(() -> first.commit(List.of(new ProducerRecord<>("tx-fenced", "c", new byte[] {1}))))
                .as("a fenced instance stays fenced: it does not fence the other back").hasMessageContaining("was fenced");
        second.commit(List.of(new ProducerRecord<>("tx-fenced", "d", new byte[] {1})));
        assertThat(second.call().getState()).isEqualTo(HealthCheck.State.UP);

        committed("tx-fenced", keys -> assertThat(keys).containsExactly("a", "d"));
        first.close();
        second.close();
    }

    @Test
    void aClusterWhoseTransactionLogNeedsMoreBrokersSaysWhatToSetAndStartsOnceItCan(@TempDir Path otherDir) {
        try (EmbeddedKafkaBroker refusing = EmbeddedKafkaBroker.start("127.0.0.1", 0, otherDir, 1,
                Map.of("transaction.state.log.replication.factor", "3"))) {
            KafkaTransactions transactions = new KafkaTransactions();
            transactions.setCamelContext(context);
            transactions.setClientConfig(KafkaClientConfig.plaintext(refusing.bootstrapServers()));
            transactions.setTransactionalId("tx-refused");
            transactions.setTopic("tx-refused");
            transactions.setMaxBlockMs(3_000);
            transactions.check();

            assertThatThrownBy(transactions::start).isInstanceOf(KafkaTransactions.TransactionsUnavailable.class)
                    .hasMessageContaining("did not start the transactions of tx-refused")
                    .hasMessageContaining("transaction.state.log.replication.factor=3")
                    .hasMessageContaining("the cluster has 1").hasMessageContaining("TWEETS_EXACTLY_ONCE=false");
            assertThat(transactions.call().getState()).isEqualTo(HealthCheck.State.DOWN);
            transactions.close();
        }
    }

    @Test
    void noBrokerAtAllIsToldAsSuchAndTheBatchWaitsAsAKafkaFailure() {
        KafkaTransactions transactions = new KafkaTransactions();
        transactions.setCamelContext(context);
        transactions.setClientConfig(KafkaClientConfig.plaintext("127.0.0.1:1"));
        transactions.setTransactionalId("tx-down");
        transactions.setTopic("tx-down");
        transactions.setMaxBlockMs(2_000);
        transactions.check();

        assertThatThrownBy(() -> transactions.commit(List.of(new ProducerRecord<>("tx-down", "a", new byte[] {1}))))
                .as("a KafkaException: source-errors sends the batch again until Kafka answers")
                .isInstanceOf(org.apache.kafka.common.KafkaException.class)
                .hasMessageContaining("Kafka at 127.0.0.1:1 did not start the transactions of tx-down")
                .hasMessageContaining("no broker answers (check KAFKA_BROKERS");
        assertThat(transactions.call().getState()).isEqualTo(HealthCheck.State.DOWN);
        transactions.close();
    }

    @Test
    void settingsThatCannotWorkWithTransactionsStopStartUpNamingTheVariable() {
        KafkaTransactions acks = new KafkaTransactions();
        acks.setTransactionalId("tx");
        acks.setAcks("1");
        assertThatThrownBy(acks::check).hasMessageContaining("KAFKA_PRODUCER_ACKS=all");

        KafkaTransactions idempotence = new KafkaTransactions();
        idempotence.setTransactionalId("tx");
        idempotence.setIdempotence(false);
        assertThatThrownBy(idempotence::check).hasMessageContaining("KAFKA_PRODUCER_IDEMPOTENCE=true");

        assertThatThrownBy(() -> new KafkaTransactions().setEnabled("yes"))
                .hasMessage("TWEETS_EXACTLY_ONCE must be true or false, not 'yes'");

        KafkaTransactions off = new KafkaTransactions();
        off.setEnabled("false");
        off.setAcks("1");
        off.check();
        assertThat(off.enabled()).isFalse();
    }

    /** The topic's keys for a read_committed reader, once they satisfy the assertions (or the wait ends). */
    private static void committed(String topic, java.util.function.Consumer<List<String>> assertions) {
        await().atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertions.accept(TopicReader.keys(broker.bootstrapServers(), topic)));
    }

    private static Message record(String id) {
        Message message = new DefaultMessage(context);
        message.setHeader(KafkaConstants.KEY, id);
        message.setBody(("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
        return message;
    }

    private static KafkaTransactions transactions(String transactionalId, String topic) {
        KafkaTransactions transactions = new KafkaTransactions();
        transactions.setCamelContext(context);
        transactions.setClientConfig(KafkaClientConfig.plaintext(broker.bootstrapServers()));
        transactions.setTransactionalId(transactionalId);
        transactions.setTopic(topic);
        transactions.setMaxBlockMs(10_000);
        transactions.check();
        return transactions;
    }
}
