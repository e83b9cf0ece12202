package io.tweetstream.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tweetstream.Tweets;
import io.tweetstream.event.TweetNormalizer;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tweets-to-kafka route file as users run it, fed by a test source route, with Kafka replaced by
 * {@link KafkaRecordsMock}: it takes a batch's records as camel-kafka does, noting what Kafka answered
 * on each record's message, and mock:kafka can fail any of them.
 */
class TweetsToKafkaRouteTest extends RouteFileTestSupport {

    private KafkaRecordsMock kafka;

    @Override
    protected String[] routeFiles() {
        return new String[] {"error-handling.camel.yaml", "dead-letter.camel.yaml", "tweets-to-kafka.camel.yaml",
            "classpath:routes/test-source.camel.yaml"};
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        retweet     | 1861299999999999999 | {"schemaVersion":1,"id":"1861299999999999999","createdAt":"2026-11-21T10:00:05Z","text":"RT @ada_dev: Shipping the new stream processor today 🚀 thanks @gracehopper for the review! Details: https://t.co/AbCdEf1234 #kafka #streaming","lang":"en","user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},"hashtags":["kafka","streaming"],"mentions":["ada_dev","gracehopper"],"urls":["https://example.org/blog/stream-processor"],"retweetOf":"1861234567890123456","source":"sample"}
        emoji       | 1861300000000000001 | {"schemaVersion":1,"id":"1861300000000000001","createdAt":"2026-11-21T10:30:00Z","text":"今日は𝕏のテストです 🎉👩‍💻 #日本 @ada_dev ありがとう！","lang":"ja","user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},"hashtags":["日本"],"mentions":["ada_dev"],"urls":[],"source":"sample"}
        extended    | 1861300000000000002 | {"schemaVersion":1,"id":"1861300000000000002","createdAt":"2026-11-21T11:00:00Z","text":"Long read on exactly-once delivery: producers must be idempotent, consumers must commit only after processing, and dead-letter topics must keep the original bytes & headers so records can be replayed later. Thread below, with benchmarks #kafka","lang":"en","user":{"id":"783214","screenName":"ada_dev","name":"Ada Lovelace 🧮","followers":48211},"hashtags":["kafka"],"mentions":[],"urls":[],"source":"sample"}
        no-entities | 1861300000000000003 | {"schemaVersion":1,"id":"1861300000000000003","createdAt":"2026-11-21T12:00:00Z","text":"Coffee first, then code.","lang":"en","user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},"hashtags":[],"mentions":[],"urls":[],"source":"sample"}
        quote       | 1861300000000000005 | {"schemaVersion":1,"id":"1861300000000000005","createdAt":"2026-11-21T12:10:00Z","text":"This is the post everyone should read https://t.co/QqQqQqQqQq","lang":"en","user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},"hashtags":[],"mentions":[],"urls":["https://twitter.com/ada_dev/status/1861234567890123456"],"quoteOf":"1861234567890123456","source":"sample"}
        """)
    void publishesTheExactEventKeyedByTweetId(String fixture, String expectedKey, String expectedEventWithoutIngestedAt)
            throws Exception {
        adviseAndStart();

        Instant before = Instant.now();
        template.send("direct:test-input", exchange -> {
            exchange.setProperty(TweetNormalizer.SOURCE_PROPERTY, "sample");
            exchange.getMessage().setBody(Tweets.status(fixture));
        });

        assertThat(kafka.takenKeys()).containsExactly(expectedKey);
        byte[] value = kafka.taken().get(0).getBody(byte[].class);
        ObjectNode event = (ObjectNode) Tweets.JSON.readTree(new String(value, StandardCharsets.UTF_8));
        assertThat(Tweets.schemaProblems(event)).isEmpty();
        Instant ingestedAt = Instant.parse(event.remove("ingestedAt").asText());
        assertThat(ingestedAt).isBetween(before, Instant.now());
        JsonNode expected = Tweets.JSON.readTree(expectedEventWithoutIngestedAt);
        assertThat(event).isEqualTo(expected);
        assertThat(new String(value, StandardCharsets.UTF_8)).as("field order as documented")
                .startsWith("{\"schemaVersion\":1,\"id\":\"" + expectedKey + "\",\"createdAt\":")
                .as("emoji as plain UTF-8, not \\u escape pairs").doesNotContainPattern("\\\\uD[89ABab]");
    }

    @Test
    void aTweetIdAlreadyPublishedIsDropped() throws Exception {
        adviseAndStart();

        for (String fixture : new String[] {"emoji", "no-entities", "emoji", "no-entities", "emoji"}) {
            template.send("direct:test-input", exchange -> exchange.getMessage().setBody(Tweets.status(fixture)));
        }
        template.sendBody("direct:test-input", List.of(Tweets.status("no-entities"), Tweets.status("extended"),
                Tweets.status("extended"), Tweets.status("emoji")));

        assertThat(kafka.takenKeys()).as("each id once, across batches and within one")
                .containsExactly("1861300000000000001", "1861300000000000003", "1861300000000000002");
    }

    @Test
    void aBatchGoesToKafkaInOneExchangeARecordPerTweetInOrder() throws Exception {
        adviseAndStart();
        List<Object> batch = new ArrayList<>();
        for (String fixture : new String[] {"retweet", "emoji", "extended", "no-entities", "quote"}) {
            batch.add(Tweets.status(fixture));
        }

        template.send("direct:test-input", exchange -> {
            exchange.setProperty(TweetNormalizer.SOURCE_PROPERTY, "sample");
            exchange.getMessage().setBody(batch);
        });

        assertThat(kafka.sends()).as("one send of the whole batch").isEqualTo(1);
        assertThat(kafka.takenKeys()).containsExactly("1861299999999999999", "1861300000000000001", "1861300000000000002",
                "1861300000000000003", "1861300000000000005");
        assertThat(counter("tweetstream.tweets.published")).isEqualTo(5.0);
    }

    @Test
    void aBatchKafkaTookOnlyPartOfIsSentAgainWithoutTheTweetsItTook() throws Exception {
        adviseAndStart();
        failRecords(3, 4, 5);
        List<Object> batch = new ArrayList<>();
        for (String fixture : new String[] {"retweet", "emoji", "extended", "no-entities", "quote"}) {
            batch.add(Tweets.status(fixture));
        }

        Exchange sent = template.send("direct:test-input", exchange -> {
            exchange.setProperty(TweetNormalizer.SOURCE_PROPERTY, "sample");
            exchange.getMessage().setBody(batch);
        });

        assertThat(sent.getException()).as("sent again until Kafka took it all").isNull();
        assertThat(kafka.sends()).as("the batch, then what Kafka did not take").isEqualTo(2);
        assertThat(kafka.takenKeys()).as("every tweet once").containsExactly("1861299999999999999", "1861300000000000001",
                "1861300000000000002", "1861300000000000003", "1861300000000000005");
        assertThat(counter("tweetstream.tweets.published")).isEqualTo(5.0);
        assertThat(counter("tweetstream.tweets.duplicates")).as("the two Kafka took, dropped from the batch sent again")
                .isEqualTo(2.0);
    }

    @Test
    void aSendThatFailsIsRetriedUntilKafkaTakesItAndCountedOnce() throws Exception {
        adviseAndStart();
        failRecords(1);

        Exchange sent = template.send("direct:test-input", e -> e.getMessage().setBody(Tweets.status("emoji")));
        Exchange again = template.send("direct:test-input", e -> e.getMessage().setBody(Tweets.status("emoji")));

        assertThat(sent.getException()).as("retried until Kafka took it").isNull();
        assertThat(again.getException()).isNull();
        assertThat(kafka.sends()).as("the failed send and the retry, not the duplicate").isEqualTo(2);
        assertThat(kafka.takenKeys()).containsExactly("1861300000000000001");
    }

    @Test
    void aTweetThatCannotBeNormalisedIsParkedWithItsSource() throws Exception {
        adviseAndStart();
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(1);
        dlq.expectedHeaderReceived(KafkaConstants.KEY, "1861300000000000003");
        dlq.expectedHeaderReceived("dlq.source", "twitter-search");
        dlq.expectedHeaderReceived("dlq.route.id", "test-source");
        dlq.expectedHeaderReceived("dlq.exception.class", "java.lang.IllegalArgumentException");
        ObjectNode noUser = (ObjectNode) Tweets.JSON.readTree(Tweets.fixture("no-entities"));
        noUser.remove("user");

        failRecords(2);

        template.send("direct:test-input", exchange -> {
            exchange.setProperty(TweetNormalizer.SOURCE_PROPERTY, "twitter-search");
            exchange.getMessage().setBody(List.of(Tweets.status("emoji"),
                    twitter4j.TwitterObjectFactory.createStatus(noUser.toString()), Tweets.status("extended")));
        });

        MockEndpoint.assertIsSatisfied(context);
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getBody(String.class)).contains("1861300000000000003");
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getHeader("dlq.exception.message", String.class))
                .contains("has no user");
        assertThat(kafka.takenKeys()).as("the others go on; parked once though the batch was sent twice")
                .containsExactly("1861300000000000001", "1861300000000000002");
    }

    @Test
    void aRejectedTweetThatCannotBeParkedCostsTheBatchNoOtherTweet() throws Exception {
        adviseAndStart();
        getMockEndpoint("mock:dlq").whenAnyExchangeReceived(e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("dead-letter topic unreachable");
        });
        ObjectNode noUser = (ObjectNode) Tweets.JSON.readTree(Tweets.fixture("no-entities"));
        noUser.remove("user");

        Exchange sent = template.send("direct:test-input", exchange -> exchange.getMessage().setBody(List.of(
                Tweets.status("emoji"), twitter4j.TwitterObjectFactory.createStatus(noUser.toString()),
                Tweets.status("extended"))));

        assertThat(kafka.takenKeys()).as("the others are on Kafka before the rejected one is parked")
                .containsExactly("1861300000000000001", "1861300000000000002");
        assertThat(sent.getException()).as("the failure to park is the source's to report")
                .hasStackTraceContaining("not writable");
        assertThat(counter("tweetstream.tweets.published")).isEqualTo(2.0);
    }

    /** The records mock:kafka receives at these (1-based) places fail as a broker time-out does. */
    private void failRecords(int... received) {
        for (int index : received) {
            getMockEndpoint("mock:kafka").whenExchangeReceived(index, exchange -> {
                throw new org.apache.kafka.common.errors.TimeoutException("broker unreachable");
            });
        }
    }

    private double counter(String name) {
        io.micrometer.core.instrument.MeterRegistry registry = context.getRegistry().findSingleByType(
                io.micrometer.core.instrument.MeterRegistry.class);
        return registry.find(name).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    /** Input from a test source route (direct:test-input); Kafka faked and the dead-letter topic mocked. */
    private void adviseAndStart() throws Exception {
        kafka = KafkaRecordsMock.recordsTo(context, "mock:kafka");
        AdviceWith.adviceWith(context, "dead-letter", route -> route.weaveByToUri("kafka:*").replace().to("mock:dlq"));
        context.start();
    }
}
