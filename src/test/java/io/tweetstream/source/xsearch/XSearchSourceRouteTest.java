package io.tweetstream.source.xsearch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.tweetstream.FakeXApi;
import io.tweetstream.Tweets;
import io.tweetstream.source.MemorySourceCursors;
import io.tweetstream.kafka.RouteFileTestSupport;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static io.tweetstream.FakeXApi.NEXT_TOKEN;
import static io.tweetstream.FakeXApi.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The x-v2-search-source route file as users run it, with real camel-http against a fake API v2,
 * through the real tweets-to-kafka route; Kafka and the dead-letter topic mocked, the cursor kept
 * in memory.
 */
class XSearchSourceRouteTest extends RouteFileTestSupport {

    private static final String TOKEN = "xb-ROUTE-TEST-5d21c0aa";
    private static final FakeXApi API = new FakeXApi();

    private final MemorySourceCursors cursors = new MemorySourceCursors();

    @Override
    protected String[] routeFiles() {
        return new String[] {"error-handling.camel.yaml", "dead-letter.camel.yaml", "tweets-to-kafka.camel.yaml",
                "x-v2-search-source.camel.yaml"};
    }

    @Override
    protected void overrides(Properties properties) {
        properties.put("tweets.source", "x-v2-search");
        // no daily budget: with one, no X read before the day's count is read from Kafka (mocked here)
        properties.put("x.daily-post-reads-budget", "0");
        properties.put("x.bearer.token", TOKEN);
        properties.put("x.api-base-url", API.baseUrl());
        properties.put("x.query", "kafka -is:retweet");
        properties.put("twitter.poll-delay", "100");
        properties.put("twitter.backoff.max-ms", "400");
    }

    @BeforeEach
    void resetApi() {
        API.reset();
    }

    @AfterAll
    static void stopApi() {
        API.close();
    }

    @Test
    void aPollPublishesEveryPageAsEventsThenAsksOnlyForNewerTweets() throws Exception {
        API.answer(null, null, page("search-page-1"));
        API.answer(null, NEXT_TOKEN, page("search-page-2"));
        API.answer("1861400000000000010", null, page("search-empty"));
        adviseAndStart();
        MockEndpoint kafka = getMockEndpoint("mock:kafka");
        kafka.expectedMessageCount(8);
        kafka.expectedHeaderValuesReceivedInAnyOrder(KafkaConstants.KEY, "1861400000000000010", "1861400000000000009",
                "1861400000000000008", "1861400000000000007", "1861400000000000006", "1861400000000000005",
                "1861400000000000004", "1861400000000000003");

        kafka.assertIsSatisfied(Duration.ofSeconds(20).toMillis());
        await().atMost(Duration.ofSeconds(10)).until(() -> API.requests().stream()
                .anyMatch(r -> "1861400000000000010".equals(param(r, "since_id"))));

        List<LoggedRequest> requests = API.requests();
        requests.sort(java.util.Comparator.comparing(LoggedRequest::getLoggedDate));
        assertThat(param(requests.get(0), "next_token")).isNull();
        assertThat(param(requests.get(0), "query")).isEqualTo("kafka -is:retweet");
        assertThat(param(requests.get(1), "next_token")).isEqualTo(NEXT_TOKEN);
        assertThat(requests).allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN));
        assertThat(cursors.saved.get("x-v2-search:kafka -is:retweet")).contains("\"sinceId\":\"1861400000000000010\"");
        for (Exchange published : kafka.getReceivedExchanges()) {
            JsonNode event = Tweets.JSON.readTree(new String(published.getMessage().getBody(byte[].class),
                    StandardCharsets.UTF_8));
            assertThat(Tweets.schemaProblems(event)).isEmpty();
            assertThat(event.get("source").asText()).isEqualTo("x-v2-search");
        }
        kafka.expectedMessageCount(8);
        kafka.assertIsSatisfied(500);
    }

    @Test
    void aTweetThatCannotBeMappedIsParkedWithItsSourceAndTheOthersArePublished() throws Exception {
        ObjectNode answer = (ObjectNode) Tweets.v2Answer("search-page-1");
        ((ObjectNode) answer.get("meta")).remove("next_token");
        ArrayNode users = (ArrayNode) answer.get("includes").get("users");
        for (int i = users.size() - 1; i >= 0; i--) {
            if (users.get(i).get("username").asText().equals("yuki_dev")) {
                users.remove(i);
            }
        }
        API.answer(null, null, aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(answer.toString()));
        API.answer("1861400000000000010", null, page("search-empty"));
        adviseAndStart();
        MockEndpoint kafka = getMockEndpoint("mock:kafka");
        kafka.expectedMessageCount(4);
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(1);
        dlq.expectedHeaderReceived(KafkaConstants.KEY, "1861400000000000008");
        dlq.expectedHeaderReceived("dlq.source", "x-v2-search");
        dlq.expectedHeaderReceived("dlq.route.id", "x-v2-search-source");
        dlq.expectedHeaderReceived("dlq.exception.class", "java.lang.IllegalArgumentException");

        MockEndpoint.assertIsSatisfied(context, 20, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getBody(String.class))
                .contains("\"id\":\"1861400000000000008\"");
        await().atMost(Duration.ofSeconds(10)).until(() -> cursors.saved.containsKey("x-v2-search:kafka -is:retweet"));
    }

    /**
     * The first tweet's send fails once: a Kafka failure is retried in place by source-errors (the
     * page is not asked for again); any other failure fails the page, which is fetched again. Either
     * way the refused tweet is sent again, every other once, and the cursor waits for it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"kafka, 1", "unexpected, 2"})
    void aTweetWhoseSendFailedIsSentAgainAndTheCursorWaitsForIt(String failure, int firstPageRequests)
            throws Exception {
        API.answer(null, null, page("search-page-1"));
        API.answer(null, NEXT_TOKEN, page("search-page-2"));
        API.answer("1861400000000000010", null, page("search-empty"));
        adviseAndStart();
        MockEndpoint kafka = getMockEndpoint("mock:kafka");
        kafka.whenExchangeReceived(1, exchange -> {
            throw failure.equals("kafka")
                    ? new org.apache.kafka.common.errors.TimeoutException("Expiring 1 record(s): broker unreachable")
                    : new IllegalStateException("the record was refused");
        });

        await().atMost(Duration.ofSeconds(20)).until(() -> cursors.saved.containsKey("x-v2-search:kafka -is:retweet"));

        List<String> keys = kafka.getReceivedExchanges().stream()
                .map(e -> e.getMessage().getHeader(KafkaConstants.KEY, String.class)).toList();
        assertThat(keys).as("the refused tweet sent again, every other once").hasSize(9)
                .containsOnlyOnce("1861400000000000009", "1861400000000000005");
        assertThat(keys.stream().filter("1861400000000000010"::equals)).hasSize(2);
        assertThat(API.requests().stream().filter(r -> param(r, "since_id") == null && param(r, "next_token") == null))
                .as("requests of the first page").hasSize(firstPageRequests);
        assertThat(cursors.saved.get("x-v2-search:kafka -is:retweet")).contains("\"sinceId\":\"1861400000000000010\"");
    }

    @Test
    void aRateLimitedRequestIsNotRepeatedBeforeItsReset() throws Exception {
        API.answer(null, null, FakeXApi.rateLimited(java.time.Instant.now().plusSeconds(3600)));
        adviseAndStart();

        await().atMost(Duration.ofSeconds(10)).until(() -> API.requests().size() == 1);
        // HttpClient on its own would repeat a 429 after a second
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> API.requests().size() == 1);
        assertThat(getMockEndpoint("mock:kafka").getReceivedCounter()).isZero();
    }

    /** The timer stays, the HTTP calls go to the fake API; Kafka and the dead-letter topic mocked. */
    private void adviseAndStart() throws Exception {
        context.getRegistry().lookupByNameAndType("xRecentSearch", XRecentSearch.class).setCursors(cursors);
        io.tweetstream.kafka.KafkaRecordsMock.recordsTo(context, "mock:kafka");
        AdviceWith.adviceWith(context, "dead-letter", route -> route.weaveByToUri("kafka:*").replace().to("mock:dlq"));
        context.start();
    }

    private static String param(LoggedRequest request, String name) {
        var values = request.queryParameter(name);
        return values.isPresent() ? values.firstValue() : null;
    }
}
