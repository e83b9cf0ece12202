package io.tweetstream.source.xstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.tweetstream.FakeXStream;
import io.tweetstream.Tweets;
import io.tweetstream.kafka.RouteFileTestSupport;
import io.tweetstream.source.MemorySourceCursors;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The x-v2-stream-source route file as users run it: the real reader against a fake filtered
 * stream on 127.0.0.1, through the real tweets-to-kafka route; Kafka and the dead-letter topic
 * mocked, the cursor kept in memory.
 */
class XStreamSourceRouteTest extends RouteFileTestSupport {

    private static final String TOKEN = "xs-ROUTE-TEST-9f2e77";
    private static final String RULES = "[{\"value\":\"apachekafka -is:retweet\",\"tag\":\"kafka\"},"
            + "{\"value\":\"#apachecamel\",\"tag\":\"camel\"}]";

    /** Made in overrides(), which the test support calls from its constructor (a field initializer would run after). */
    private FakeXStream api;
    private final MemorySourceCursors cursors = new MemorySourceCursors();

    private static FakeXStream newApi() {
        FakeXStream api = new FakeXStream();
        api.setToken(TOKEN);
        api.setKeepAliveMillis(200);
        api.addRule("stray rule from another tool", "stray");
        return api;
    }

    @Override
    protected String[] routeFiles() {
        return new String[] {"error-handling.camel.yaml", "dead-letter.camel.yaml", "tweets-to-kafka.camel.yaml",
                "x-v2-stream-source.camel.yaml"};
    }

    @Override
    protected void overrides(Properties properties) {
        api = newApi();
        properties.put("tweets.source", "x-v2-stream");
        // no daily budget: with one, no X read before the day's count is read from Kafka (mocked here)
        properties.put("x.daily-post-reads-budget", "0");
        properties.put("x.bearer.token", TOKEN);
        properties.put("x.api-base-url", api.baseUrl());
        properties.put("x.stream.rules", RULES);
        properties.put("x.stream.stall-timeout-ms", "1500");
        properties.put("x.stream.backoff.network-ms", "50");
        properties.put("x.stream.backoff.http-ms", "100");
        properties.put("x.stream.backoff.rate-limit-ms", "200");
        properties.put("x.stream.backoff.max-ms", "1000");
        properties.put("x.stream.healthy-after-ms", "300");
        properties.put("x.stream.not-ready-after-ms", "500");
        properties.put("x.stream.backfill-minutes", "2");
        properties.put("x.stream.queue-size", "5");
        properties.put("x.stream.in-flight", "2");
    }

    @AfterEach
    void stopApi() {
        api.close();
    }

    @Test
    void postsBecomeEventsWithTheTagsOfTheirRulesAndTheLiveRulesBecomeTheConfiguredOnes() throws Exception {
        adviseAndStart();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);
        MockEndpoint kafka = getMockEndpoint("mock:kafka");
        kafka.expectedMessageCount(3);

        Set<String> ids = Set.of(api.publish("kafka").id(), api.publish("camel").id(), api.publish("kafka").id());

        kafka.assertIsSatisfied(TimeUnit.SECONDS.toMillis(20));
        assertThat(api.rules()).extracting(FakeXStream.Rule::value, FakeXStream.Rule::tag)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("apachekafka -is:retweet", "kafka"),
                        org.assertj.core.groups.Tuple.tuple("#apachecamel", "camel"));
        assertThat(kafka.getReceivedExchanges().stream()
                .map(e -> e.getMessage().getHeader(KafkaConstants.KEY, String.class)).collect(Collectors.toSet()))
                .isEqualTo(ids);
        for (Exchange published : kafka.getReceivedExchanges()) {
            JsonNode event = Tweets.JSON.readTree(new String(published.getMessage().getBody(byte[].class),
                    StandardCharsets.UTF_8));
            assertThat(Tweets.schemaProblems(event)).isEmpty();
            assertThat(event.get("source").asText()).isEqualTo("x-v2-stream");
            assertThat(event.get("matchingRules")).hasSize(1);
            assertThat(event.get("matchingRules").get(0).asText()).isIn("kafka", "camel");
        }
        assertThat(api.requests(FakeXStream.STREAM)).allSatisfy(request ->
                assertThat(request.headers().get("authorization")).isEqualTo("Bearer " + TOKEN));
        assertThat(api.requests(FakeXStream.STREAM).get(0).query()).containsEntry("expansions",
                "author_id,referenced_tweets.id,referenced_tweets.id.author_id").doesNotContainKey("backfill_minutes");
        // the cursor follows the posts done
        await().atMost(Duration.ofSeconds(10)).until(() -> cursors.saved.containsKey("x-v2-stream"));
    }

    @Test
    void aLineThatIsNotJsonIsParkedAsTheStreamSentItWithItsSource() throws Exception {
        api.enqueue(FakeXStream.live().garbageLine("{not json"));
        adviseAndStart();
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(1);
        dlq.expectedHeaderReceived("dlq.source", "x-v2-stream");
        dlq.expectedHeaderReceived("dlq.route.id", "x-v2-stream-source");
        dlq.expectedHeaderReceived("dlq.exception.class", "java.lang.IllegalArgumentException");
        MockEndpoint kafka = getMockEndpoint("mock:kafka");
        kafka.expectedMessageCount(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);

        api.publish("kafka");

        MockEndpoint.assertIsSatisfied(context, 20, TimeUnit.SECONDS);
        assertThat(new String(dlq.getReceivedExchanges().get(0).getMessage().getBody(byte[].class), StandardCharsets.UTF_8))
                .isEqualTo("{not json");
    }

    /**
     * A post Kafka did not take is sent again until it does (source-errors); any other failure parks
     * it with the line as X sent it, instead of losing it; either way the others go on.
     */
    @Test
    void aKafkaFailureIsRetriedAndAnyOtherFailureParksThePost() throws Exception {
        adviseAndStart();
        MockEndpoint kafka = getMockEndpoint("mock:kafka");
        kafka.whenExchangeReceived(1, exchange -> {
            throw new org.apache.kafka.common.errors.TimeoutException("Expiring 1 record(s): broker unreachable");
        });
        kafka.whenExchangeReceived(3, exchange -> {
            throw new IllegalStateException("the record was refused");
        });
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);

        String first = api.publish("kafka").id();
        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.getReceivedCounter() == 2);
        String refused = api.publish("camel").id();
        dlq.assertIsSatisfied(TimeUnit.SECONDS.toMillis(20));
        String last = api.publish("kafka").id();

        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.getReceivedCounter() == 4);
        List<String> keys = kafka.getReceivedExchanges().stream()
                .map(e -> e.getMessage().getHeader(KafkaConstants.KEY, String.class)).toList();
        assertThat(keys).containsExactly(first, first, refused, last);
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getBody(String.class))
                .contains("\"id\":\"" + refused + "\"").contains("matching_rules");
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getHeader("dlq.exception.class"))
                .isEqualTo("java.lang.IllegalStateException");
    }

    /**
     * A slow Kafka fills the bounded queue and the reader stops reading (the fake's socket buffers
     * hold the rest): nothing is dropped, the queue never holds more than its size, and a stop drains
     * to Kafka every line that was read.
     */
    @Test
    void aSlowKafkaHoldsTheStreamBackAndAStopDrainsTheQueueToKafka() throws Exception {
        adviseAndStart();
        XFilteredStream stream = context.getRegistry().lookupByNameAndType("xFilteredStream", XFilteredStream.class);
        MockEndpoint kafka = getMockEndpoint("mock:kafka");
        kafka.whenAnyExchangeReceived(exchange -> Thread.sleep(40));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);

        java.util.List<Double> depths = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 40; i++) {
            api.publish(i % 2 == 0 ? "kafka" : "camel");
            depths.add(stream.queueDepth());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.getReceivedCounter() == 40);
        assertThat(depths).allSatisfy(depth -> assertThat(depth).isLessThanOrEqualTo(5.0));
        assertThat(depths).contains(5.0);

        for (int i = 0; i < 20; i++) {
            api.publish("kafka");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stream.queueDepth() >= 3);
        context.stop();

        StreamCursor cursor = stream.cursor();
        assertThat(kafka.getReceivedCounter()).as("every line read reached Kafka before the route stopped")
                .isEqualTo(cursor.lastQueued());
        assertThat(cursor.outstanding()).isZero();
    }

    /**
     * With X_STREAM_BACKFILL_MINUTES a reconnect asks for the outage in minutes; a 400 for it (no
     * Enterprise access) drops it and connects again without it.
     */
    @Test
    void aReconnectAsksForBackfillUntilXRefusesIt() throws Exception {
        api.enqueue(FakeXStream.live().dropAfter(1),
                FakeXStream.status(400, "{\"errors\":[{\"parameters\":{\"backfill_minutes\":[\"1\"]},\"message\":"
                        + "\"The `backfill_minutes` query parameter is not allowed for your access\"}],\"title\":\"Invalid Request\","
                        + "\"detail\":\"One or more parameters to your request was invalid.\",\"type\":"
                        + "\"https://api.twitter.com/2/problems/invalid-request\"}", java.util.Map.of()),
                FakeXStream.live().dropAfter(1), FakeXStream.live());
        adviseAndStart();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);
        api.publish("kafka");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1 && api.streamConnects() >= 3);
        api.publish("kafka");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1 && api.streamConnects() >= 4);

        List<FakeXStream.Request> connects = api.requests(FakeXStream.STREAM);
        assertThat(connects.get(0).query()).as("no outage yet").doesNotContainKey("backfill_minutes");
        assertThat(connects.get(1).query()).as("the outage, in whole minutes").containsEntry("backfill_minutes", "1");
        assertThat(connects.subList(2, connects.size())).allSatisfy(request ->
                assertThat(request.query()).doesNotContainKey("backfill_minutes"));
    }

    @Test
    void aStreamThatCannotConnectForLongerThanTheSettingIsNotReadyUntilItDoes() throws Exception {
        api.enqueue(FakeXStream.serverError(), FakeXStream.serverError(), FakeXStream.serverError(),
                FakeXStream.serverError(), FakeXStream.serverError());
        adviseAndStart();
        XFilteredStream stream = context.getRegistry().lookupByNameAndType("xFilteredStream", XFilteredStream.class);

        await().atMost(Duration.ofSeconds(20)).until(() -> stream.notReadyReason().isPresent());
        assertThat(stream.notReadyReason().get()).contains("has not been connected for").contains("HTTP 503");
        assertThat(stream.details()).containsEntry("lastStatusCode", 503);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> stream.notReadyReason().isEmpty());
    }

    @Test
    void aUsageCapIsToldAsSuchAndMakesTheSourceNotReady() throws Exception {
        api.enqueue(FakeXStream.usageCapped());
        adviseAndStart();
        XFilteredStream stream = context.getRegistry().lookupByNameAndType("xFilteredStream", XFilteredStream.class);

        await().atMost(Duration.ofSeconds(20)).until(() -> stream.notReadyReason().isPresent());
        assertThat(stream.notReadyReason().get()).contains("usage cap").contains("Monthly");
        assertThat(stream.details()).containsEntry("condition", "USAGE_CAPPED");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> stream.notReadyReason().isEmpty());
    }

    /** Without the cursor the gap since the last run could not be filled: no connection until Kafka answers. */
    @Test
    void theStreamWaitsForItsCursorBeforeItConnects() throws Exception {
        cursors.unreadable = true;
        adviseAndStart();

        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> api.streamConnects() == 0);
        cursors.unreadable = false;
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);
    }

    /**
     * A rule recent search refuses (an operator it lacks) is not searched, and the gap is released
     * after the other rules were searched: the cursor is not held for ever.
     */
    @Test
    void aRuleRecentSearchRefusesDoesNotHoldTheGapForEver() throws Exception {
        api.enqueue(FakeXStream.live().dropAfter(1), FakeXStream.live());
        api.enqueueSearch(FakeXStream.status(400, "{\"errors\":[{\"parameters\":{\"query\":[\"sample:10\"]},\"message\":"
                + "\"There were errors processing your request: Reference to invalid operator 'sample'\"}],\"title\":"
                + "\"Invalid Request\",\"detail\":\"One or more parameters to your request was invalid.\",\"type\":"
                + "\"https://api.twitter.com/2/problems/invalid-request\"}", java.util.Map.of()));
        adviseAndStart();
        XFilteredStream stream = context.getRegistry().lookupByNameAndType("xFilteredStream", XFilteredStream.class);
        MockEndpoint kafka = getMockEndpoint("mock:kafka");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);

        api.publish("kafka");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.streamConnects() >= 2 && api.openStreams() == 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.requests(FakeXStream.SEARCH).size() >= 2);

        await().atMost(Duration.ofSeconds(20)).until(() -> !stream.cursor().gapOpen());
        assertThat(kafka.getReceivedCounter()).isGreaterThanOrEqualTo(1);
        assertThat(api.requests(FakeXStream.SEARCH)).extracting(request -> request.query().get("query"))
                .containsExactlyInAnyOrder("apachekafka -is:retweet", "#apachecamel");
    }

    /** A rules API that fails at start-up does not stop it: the rules are synced before the first connection. */
    @Test
    void rulesThatCannotBeSyncedAtStartUpAreSyncedBeforeTheStreamConnects() throws Exception {
        api.enqueueRules(FakeXStream.serverError(), FakeXStream.serverError());
        adviseAndStart();

        await().atMost(Duration.ofSeconds(20)).until(() -> api.openStreams() == 1);
        assertThat(api.rules()).extracting(FakeXStream.Rule::value)
                .containsExactlyInAnyOrder("apachekafka -is:retweet", "#apachecamel");
        FakeXStream.Request connect = api.requests(FakeXStream.STREAM).get(0);
        assertThat(api.requests(FakeXStream.RULES)).as("rules synced before the stream was asked for")
                .anyMatch(request -> request.method().equals("POST") && !request.query().containsKey("dry_run")
                        && request.at().isBefore(connect.at()));
    }

    /** Kafka and the dead-letter topic mocked, the cursor in memory. */
    private void adviseAndStart() throws Exception {
        context.getRegistry().lookupByNameAndType("xFilteredStream", XFilteredStream.class).setCursors(cursors);
        io.tweetstream.kafka.KafkaRecordsMock.recordsTo(context, "mock:kafka");
        AdviceWith.adviceWith(context, "dead-letter", route -> route.weaveByToUri("kafka:*").replace().to("mock:dlq"));
        context.start();
    }
}
