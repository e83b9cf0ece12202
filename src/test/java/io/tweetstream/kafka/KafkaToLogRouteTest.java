package io.tweetstream.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import io.tweetstream.Tweets;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.LogDefinition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kafka-to-log route file as users run it, fed batches directly instead of from Kafka (each a
 * poll's records, as camel-kafka's batching hands them over, with a manual commit per record).
 */
class KafkaToLogRouteTest extends RouteFileTestSupport {

    /** The offset committed per partition (the next offset to consume), by the records' manual commits. */
    private final Map<Integer, Long> committed = new ConcurrentHashMap<>();

    private static final String EVENT = """
            {"schemaVersion":1,"id":"1861300000000000001","createdAt":"2026-11-21T10:30:00Z",\
            "text":"今日は𝕏のテストです 🎉👩‍💻 #日本 @ada_dev ありがとう！","lang":"ja",\
            "user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},\
            "hashtags":["日本"],"mentions":["ada_dev"],"urls":[],"source":"sample","ingestedAt":"2026-11-25T08:00:00.123Z"}""";

    @Override
    protected String[] routeFiles() {
        return new String[] {"error-handling.camel.yaml", "dead-letter.camel.yaml", "kafka-to-log.camel.yaml"};
    }

    @Override
    protected void overrides(Properties properties) {
        properties.put("errors.retry.max-redeliveries", "3");
    }

    @Test
    void anEventMissingRequiredFieldsIsParkedUnchangedWithoutRetries() throws Exception {
        adviseAndStart();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.expectedMessageCount(0);
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(1);
        dlq.expectedHeaderReceived("dlq.route.id", "kafka-to-log");
        dlq.expectedHeaderReceived("dlq.attempts", "1");
        dlq.expectedHeaderReceived(KafkaConstants.KEY, "1861300000000000001");
        byte[] invalid = EVENT.replace("\"lang\":\"ja\",", "").getBytes(StandardCharsets.UTF_8);

        template.sendBody("direct:test-input", batch(record(0, 41, invalid)));

        dlq.assertIsSatisfied();
        logged.assertIsSatisfied();
        assertThat(committed).as("parked: done").containsEntry(0, 42L);
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getBody(byte[].class)).isEqualTo(invalid);
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getHeader("dlq.exception.class", String.class))
                .isEqualTo("org.apache.camel.component.jsonvalidator.JsonValidationException");
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getHeader("dlq.exception.message", String.class))
                .contains("lang");
    }

    @Test
    void aTransientFailureIsRetriedAndTheTweetProcessedOnce() throws Exception {
        adviseAndStart();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.whenExchangeReceived(1, e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("downstream slow");
        });
        logged.whenExchangeReceived(2, e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("downstream slow");
        });
        logged.expectedMessageCount(3);
        getMockEndpoint("mock:dlq").expectedMessageCount(0);

        template.sendBody("direct:test-input", batch(record(0, 7, EVENT.getBytes(StandardCharsets.UTF_8))));

        MockEndpoint.assertIsSatisfied(context);
        assertThat(committed).containsEntry(0, 8L);
    }

    @Test
    void aFailureThatOutlastsTheRetriesIsParkedWithItsAttemptCount() throws Exception {
        adviseAndStart();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.whenAnyExchangeReceived(e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("downstream down");
        });
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(1);
        dlq.expectedHeaderReceived("dlq.attempts", "4");
        dlq.expectedHeaderReceived("dlq.exception.class", "org.apache.kafka.common.errors.TimeoutException");
        dlq.expectedHeaderReceived("dlq.exception.message", "downstream down");

        template.sendBody("direct:test-input", batch(record(2, 3, EVENT.getBytes(StandardCharsets.UTF_8))));

        dlq.assertIsSatisfied();
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getBody(byte[].class))
                .isEqualTo(EVENT.getBytes(StandardCharsets.UTF_8));
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getHeader("dlq.original.offset", String.class)).isEqualTo("3");
        assertThat(committed).containsEntry(2, 4L);
    }

    @Test
    void aRecordThatCannotBeParkedFailsTheBatchSoItAndWhatFollowsInItsPartitionAreConsumedAgain() throws Exception {
        adviseAndStart();
        getMockEndpoint("mock:dlq").whenAnyExchangeReceived(e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("dead-letter topic unreachable");
        });
        MockEndpoint logged = getMockEndpoint("mock:logged");
        // every valid tweet is processed, 0@12 too, which is consumed again (at-least-once)
        logged.expectedMessageCount(5);
        byte[] event = EVENT.getBytes(StandardCharsets.UTF_8);

        var exchange = template.send("direct:test-input", e -> e.getMessage().setBody(batch(
                record(0, 10, event), record(1, 20, event), record(0, 11, "not json".getBytes(StandardCharsets.UTF_8)),
                record(1, 21, event), record(0, 12, event), record(2, 30, event))));

        logged.assertIsSatisfied();
        assertThat(exchange.isFailed()).as("the failure reaches the Kafka consumer").isTrue();
        assertThat(exchange.getException()).isInstanceOf(KafkaBatchOffsets.BatchIncomplete.class)
                .hasMessageContaining("rk_hadoop-0@11");
        assertThat(committed).as("partition 0 up to the record that could not be parked; the others wholly")
                .isEqualTo(Map.of(0, 11L, 1, 22L, 2, 31L));
        io.micrometer.core.instrument.MeterRegistry registry = context.getRegistry().findSingleByType(
                io.micrometer.core.instrument.MeterRegistry.class);
        assertThat(registry.find("tweetstream.deadletter.write.failures").counter()).isNotNull()
                .extracting(io.micrometer.core.instrument.Counter::count).isEqualTo(1.0);
    }

    @Test
    void logsOneLinePerTweetWithItsIdAndTheEventUnchanged() throws Exception {
        adviseAndStart();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.expectedMessageCount(1);
        logged.expectedVariableReceived("tweetId", "1861300000000000001");
        logged.expectedVariableReceived("author", "gracehopper");

        template.sendBody("direct:test-input", batch(record(0, 0, EVENT.getBytes(StandardCharsets.UTF_8))));

        logged.assertIsSatisfied();
        org.apache.camel.Exchange line = logged.getReceivedExchanges().get(0);
        assertThat(line.getMessage().getBody()).as("read into the event type").isInstanceOf(io.tweetstream.event.TweetEvent.class);
        String json = line.getVariable("tweetJson", String.class);
        assertThat(json).as("the event as read, what the line shows").isEqualTo(EVENT);
    }

    @Test
    void eachTweetOfABatchIsProcessedOnItsOwnAndEveryPartitionCommittedOnce() throws Exception {
        adviseAndStart();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.expectedMessageCount(5);
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(1);
        dlq.expectedHeaderReceived("dlq.original.partition", "2");
        dlq.expectedHeaderReceived("dlq.original.offset", "5");
        List<String> commits = new ArrayList<>();
        List<Object> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int partition = i % 3;
            long offset = i;
            String id = Long.toString(1861300000000000010L + i);
            byte[] value = i == 5 ? "{\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8)
                    : EVENT.replace("1861300000000000001", id).getBytes(StandardCharsets.UTF_8);
            Exchange record = record(partition, offset, value);
            KafkaManualCommit counted = record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, (KafkaManualCommit) () -> {
                commits.add(partition + "@" + offset);
                counted.commit();
            });
            records.add(record);
        }

        var exchange = template.send("direct:test-input", e -> e.getMessage().setBody(records));

        MockEndpoint.assertIsSatisfied(context);
        assertThat(exchange.isFailed()).isFalse();
        assertThat(logged.getReceivedExchanges()).extracting(e -> e.getVariable("tweetId", String.class))
                .as("in poll order").containsExactly("1861300000000000010", "1861300000000000011",
                        "1861300000000000012", "1861300000000000013", "1861300000000000014");
        assertThat(commits).as("one commit per partition, of its last record").containsExactlyInAnyOrder("0@3", "1@4", "2@5");
        assertThat(committed).isEqualTo(Map.of(0, 4L, 1, 5L, 2, 6L));
    }

    @Test
    void aCommitThatFailsFailsTheBatchWithoutParkingIt() throws Exception {
        adviseAndStart();
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(0);
        Exchange record = record(1, 9, EVENT.getBytes(StandardCharsets.UTF_8));
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, (KafkaManualCommit) () -> {
            throw new org.apache.kafka.clients.consumer.CommitFailedException("the group rebalanced");
        });

        var exchange = template.send("direct:test-input", e -> e.getMessage().setBody(batch(record)));

        assertThat(exchange.isFailed()).as("the consumer reconnects and consumes it again").isTrue();
        assertThat(exchange.getException()).isInstanceOf(KafkaBatchOffsets.BatchIncomplete.class)
                .hasMessageContaining("rk_hadoop-1").hasRootCauseInstanceOf(
                        org.apache.kafka.clients.consumer.CommitFailedException.class);
        dlq.assertIsSatisfied();
    }

    /** A consumed record as camel-kafka's batching hands it over, whose manual commit is noted in committed. */
    private Exchange record(int partition, long offset, byte[] value) {
        Exchange record = new DefaultExchange(context);
        record.getMessage().setBody(value);
        record.getMessage().setHeader(KafkaConstants.TOPIC, "rk_hadoop");
        record.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        record.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        record.getMessage().setHeader(KafkaConstants.KEY, "1861300000000000001");
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT,
                (KafkaManualCommit) () -> committed.merge(partition, offset + 1, Math::max));
        return record;
    }

    private static List<Exchange> batch(Exchange... records) {
        return List.of(records);
    }

    /** Input from direct: instead of Kafka; what is logged and what is dead-lettered, mocked. */
    private void adviseAndStart() throws Exception {
        AdviceWith.adviceWith(context, "kafka-to-log", route -> route.replaceFromWith("direct:test-input"));
        AdviceWith.adviceWith(context, "process-tweet",
                route -> route.weaveByType(LogDefinition.class).after().to("mock:logged"));
        AdviceWith.adviceWith(context, "dead-letter", route -> route.weaveByToUri("kafka:*").replace().to("mock:dlq"));
        context.start();
    }
}
