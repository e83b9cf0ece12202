package io.tweetstream.source.xsearch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tweetstream.MutableClock;
import io.tweetstream.Tweets;
import io.tweetstream.source.MemorySourceCursors;
import io.tweetstream.source.x.V2Tweet;
import io.tweetstream.source.x.cost.XPostReads;
import io.tweetstream.source.twitter.TwitterPollStrategy;
import io.tweetstream.source.twitter.TwitterPollStrategy.Condition;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The poll of the x-v2-search route step by step, as the route drives it (begin, then request,
 * answer, pageDone per page while hasNextPage), against answers in the API's shapes.
 */
class XRecentSearchTest {

    private static final String OLD_CURSOR = "{\"sinceId\":\"1861300000000000000\"}";
    private static final String KEY = "x-v2-search:kafka -is:retweet";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:10Z"));
    private final TwitterPollStrategy strategy = new TwitterPollStrategy(clock);
    private final MemorySourceCursors cursors = new MemorySourceCursors();
    private final XRecentSearch search = new XRecentSearch(clock);
    private static final CamelContext context = new DefaultCamelContext();

    @BeforeEach
    void setUp() {
        strategy.setSource("x-v2-search");
        strategy.setInitialBackoffMs(1_000);
        strategy.setMaxBackoffMs(8_000);
        strategy.setRefusedRetryMs(60_000);
        search.setSource("x-v2-search");
        search.setQuery("kafka -is:retweet");
        search.setKeywords("apachekafka");
        search.setMaxResults(100);
        search.setMaxPages(5);
        search.setApiBaseUrl("https://api.x.com/2/");
        search.setPollStrategy(strategy);
        search.setCursors(cursors);
    }

    /** The route's pageDone step, with an exchange of its own (no cursor moved with the page). */
    private void pageDone() {
        search.pageDone(new DefaultExchange(context));
    }

    @AfterAll
    static void closeContext() throws Exception {
        context.close();
    }

    @Test
    void aPollFollowsNextTokenAndSavesTheNewestIdOnceTheLastPageIsHandedOver() throws Exception {
        assertThat(search.begin()).isTrue();
        Map<String, String> first = request();
        assertThat(first).containsEntry("query", "kafka -is:retweet").containsEntry("max_results", "100")
                .containsEntry("tweet.fields", "created_at,lang,author_id,entities,referenced_tweets,note_tweet")
                .containsEntry("user.fields", "username,name,public_metrics")
                .containsEntry("expansions", "author_id,referenced_tweets.id,referenced_tweets.id.author_id")
                .doesNotContainKeys("since_id", "next_token");
        assertThat(ids(answer(200, "search-page-1"))).hasSize(5).first().isEqualTo("1861400000000000010");
        assertThat(search.hasNextPage()).isTrue();
        pageDone();
        assertThat(cursors.saved).as("not before the last page").isEmpty();

        assertThat(request()).containsEntry("next_token", "b26v89c19zqg8o3fpzhnxb7y8lxhvi8h0uwb8jvkhvvyl")
                .doesNotContainKey("since_id");
        assertThat(ids(answer(200, "search-page-2"))).containsExactly("1861400000000000005", "1861400000000000004",
                "1861400000000000003");
        assertThat(search.hasNextPage()).isFalse();
        assertThat(cursors.saved).as("not before the page's tweets are handed over").isEmpty();
        pageDone();

        assertThat(cursors.saved).containsOnlyKeys(KEY);
        assertThat(Tweets.JSON.readTree(cursors.saved.get(KEY)).get("sinceId").asText()).isEqualTo("1861400000000000010");
        assertThat(strategy.state().condition()).isEqualTo(Condition.OK);
    }

    @Test
    void theNextPollAsksOnlyForTweetsNewerThanTheCursor() {
        cursors.saved.put(KEY, "{\"sinceId\":\"1861400000000000010\"}");

        assertThat(search.begin()).isTrue();
        assertThat(request()).containsEntry("since_id", "1861400000000000010").doesNotContainKey("next_token");
        assertThat(ids(answer(200, "search-newer"))).hasSize(3);
        pageDone();

        assertThat(search.sinceId()).isEqualTo("1861400000000000013");
        assertThat(cursors.saved.get(KEY)).contains("\"sinceId\":\"1861400000000000013\"");
    }

    @Test
    void aPollWithoutNewTweetsKeepsTheCursor() {
        cursors.saved.put(KEY, "{\"sinceId\":\"1861400000000000010\"}");

        search.begin();
        request();
        assertThat(answer(200, "search-empty")).isEmpty();
        pageDone();

        assertThat(search.sinceId()).isEqualTo("1861400000000000010");
        assertThat(cursors.writes).isZero();
    }

    @Test
    void aPaginationLongerThanMaxPagesGoesOnAtTheNextPollWithTheSameSinceId() {
        cursors.saved.put(KEY, OLD_CURSOR);
        search.setMaxPages(1);

        search.begin();
        assertThat(request()).containsEntry("since_id", "1861300000000000000");
        answer(200, "search-page-1");
        assertThat(search.hasNextPage()).isFalse();
        pageDone();
        assertThat(cursors.writes).isZero();

        assertThat(search.begin()).isTrue();
        assertThat(request()).containsEntry("since_id", "1861300000000000000")
                .containsEntry("next_token", "b26v89c19zqg8o3fpzhnxb7y8lxhvi8h0uwb8jvkhvvyl");
        answer(200, "search-page-2");
        pageDone();

        assertThat(cursors.saved.get(KEY)).contains("\"sinceId\":\"1861400000000000010\"");
    }

    @Test
    void theDailyBudgetReachedByAPageStopsThePaginationUntilTheNextUtcDayWhichGoesOnFromItsNextToken() {
        XPostReads postReads = new XPostReads(clock);
        postReads.setSource("x-v2-search");
        postReads.setBudget("5");
        search.setPostReads(postReads);
        cursors.saved.put(KEY, OLD_CURSOR);

        assertThat(search.begin()).isTrue();
        request();
        assertThat(ids(answer(200, "search-page-1"))).as("the page read is handed over in full").hasSize(5);
        assertThat(search.hasNextPage()).as("no request for the next page").isFalse();
        pageDone();
        clock.advance(Duration.ofHours(1));
        assertThat(search.begin()).as("no poll for the rest of the UTC day").isFalse();

        clock.advance(Duration.ofHours(13));
        assertThat(search.begin()).as("the next UTC day").isTrue();
        assertThat(request()).containsEntry("since_id", "1861300000000000000")
                .containsEntry("next_token", "b26v89c19zqg8o3fpzhnxb7y8lxhvi8h0uwb8jvkhvvyl");
        answer(200, "search-page-2");
        pageDone();
        assertThat(cursors.saved.get(KEY)).contains("\"sinceId\":\"1861400000000000010\"");
        assertThat(postReads.distinctToday()).isEqualTo(3);
    }

    @Test
    void withoutACursorOnlyTheNewestPagesAreReadAndTheCursorStartsThere() {
        search.setMaxPages(1);

        search.begin();
        request();
        answer(200, "search-page-1");
        assertThat(search.hasNextPage()).isFalse();
        pageDone();

        assertThat(cursors.saved.get(KEY)).contains("\"sinceId\":\"1861400000000000010\"");
        search.begin();
        assertThat(request()).containsEntry("since_id", "1861400000000000010").doesNotContainKey("next_token");
    }

    @Test
    void aPageWhoseTweetsWereNotAllHandedOverIsFetchedAgain() {
        cursors.saved.put(KEY, OLD_CURSOR);

        search.begin();
        request();
        answer(200, "search-page-1");
        // no pageDone: publishing the page failed (Kafka gone, the app stopping)

        assertThat(search.begin()).isTrue();
        assertThat(request()).containsEntry("since_id", "1861300000000000000").doesNotContainKey("next_token");
        assertThat(cursors.writes).isZero();
    }

    @Test
    void aSinceIdOlderThanTheSearchWindowIsDroppedAndThePollGoesOnWithoutIt() {
        cursors.saved.put(KEY, OLD_CURSOR);

        search.begin();
        assertThat(request()).containsEntry("since_id", "1861300000000000000");
        assertThat(answer(400, "error-400-since-id")).isEmpty();
        assertThat(search.hasNextPage()).as("asked again at once").isTrue();
        pageDone();
        assertThat(request()).doesNotContainKey("since_id");
        answer(200, "search-newer");
        pageDone();

        assertThat(cursors.saved.get(KEY)).contains("\"sinceId\":\"1861400000000000013\"");
        assertThat(strategy.state().consecutiveFailures()).isZero();
    }

    @Test
    void aRateLimitInTheMiddleOfAPaginationResumesItsNextTokenAfterTheReset() {
        cursors.saved.put(KEY, OLD_CURSOR);
        Instant reset = clock.instant().plusSeconds(300);

        search.begin();
        request();
        answer(200, "search-page-1");
        pageDone();
        request();
        assertThat(answer(429, "error-429", Map.of("x-rate-limit-remaining", "0",
                "x-rate-limit-reset", Long.toString(reset.getEpochSecond())))).isEmpty();
        assertThat(search.hasNextPage()).isFalse();
        pageDone();

        assertThat(strategy.state().condition()).isEqualTo(Condition.RATE_LIMITED);
        assertThat(search.begin()).as("before the reset").isFalse();
        clock.advance(Duration.ofSeconds(301));
        assertThat(search.begin()).isTrue();
        assertThat(request()).containsEntry("next_token", "b26v89c19zqg8o3fpzhnxb7y8lxhvi8h0uwb8jvkhvvyl")
                .containsEntry("since_id", "1861300000000000000");
    }

    @Test
    void aSuccessThatUsedTheLastRequestOfTheWindowStopsThePaginationUntilTheReset() {
        Instant reset = clock.instant().plusSeconds(600);

        search.begin();
        request();
        answer(200, "search-page-1", Map.of("x-rate-limit-remaining", "0",
                "x-rate-limit-reset", Long.toString(reset.getEpochSecond())));

        assertThat(search.hasNextPage()).isFalse();
        pageDone();
        assertThat(search.begin()).isFalse();
        clock.advance(Duration.ofSeconds(601));
        assertThat(search.begin()).isTrue();
        assertThat(request()).containsEntry("next_token", "b26v89c19zqg8o3fpzhnxb7y8lxhvi8h0uwb8jvkhvvyl");
    }

    @Test
    void serverErrorsAndMalformedAnswersBackOff() {
        search.begin();
        request();
        assertThat(answer(503, "error-503")).isEmpty();
        assertThat(search.hasNextPage()).isFalse();
        assertThat(strategy.state().condition()).isEqualTo(Condition.FAILING);
        assertThat(strategy.state().message()).isEqualTo("HTTP 503 (server error): Service Unavailable: Service Unavailable");
        assertThat(search.begin()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        assertThat(search.begin()).isTrue();
        request();
        assertThat(answer(200, "{\"data\":[{\"id\":\"12")).isEmpty();
        assertThat(strategy.state().message()).startsWith("malformed response (not the v2 JSON expected)");
        assertThat(Duration.between(clock.instant(), strategy.state().nextPollNotBefore())).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void noAnswerIsAFailureWithoutStatus() {
        search.begin();
        Exchange exchange = new DefaultExchange(context);
        search.request(exchange);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new java.net.ConnectException("Connection refused"));

        search.noAnswer(exchange);

        assertThat(search.response(exchange)).isEmpty();
        assertThat(strategy.state().lastStatusCode()).isEqualTo(-1);
        assertThat(strategy.state().message()).contains("ConnectException: Connection refused");
        assertThat(search.hasNextPage()).isFalse();
    }

    @Test
    void refusedAccessIsTheStrategysRefusedCondition() {
        search.begin();
        request();
        answer(401, "error-401");

        assertThat(strategy.state().condition()).isEqualTo(Condition.REFUSED);
        assertThat(search.hasNextPage()).isFalse();
    }

    @Test
    void aTierWithoutRecentSearchIsRefusedAccess() {
        search.begin();
        request();
        answer(403, "error-403-client-not-enrolled");

        assertThat(strategy.state().condition()).isEqualTo(Condition.REFUSED);
        assertThat(strategy.state().lastStatusCode()).isEqualTo(403);
        assertThat(strategy.isDue()).isFalse();
    }

    @Test
    void noPollWhileTheCursorCannotBeRead() {
        cursors.unreadable = true;

        assertThat(search.begin()).isFalse();
        cursors.unreadable = false;
        assertThat(search.begin()).isTrue();
    }

    @Test
    void aCursorThatCouldNotBeSavedIsSavedAfterTheNextPage() {
        cursors.saved.put(KEY, "{\"sinceId\":\"1861400000000000010\"}");
        cursors.unwritable = true;
        search.begin();
        request();
        answer(200, "search-newer");
        pageDone();
        assertThat(search.sinceId()).isEqualTo("1861400000000000013");
        assertThat(cursors.saved.get(KEY)).contains("1861400000000000010");

        cursors.unwritable = false;
        search.begin();
        request();
        answer(200, "search-empty");
        pageDone();

        assertThat(cursors.saved.get(KEY)).contains("\"sinceId\":\"1861400000000000013\"");
    }

    @Test
    void theQueryIsXQueryElseTwitterKeywords() {
        search.setQuery(" ");
        assertThat(search.effectiveQuery()).isEqualTo("apachekafka");
        assertThat(search.cursorKey()).isEqualTo("x-v2-search:apachekafka");
        search.setQuery("from:ada_dev kafka");
        assertThat(search.effectiveQuery()).isEqualTo("from:ada_dev kafka");
    }

    @Test
    void startUpRefusesSettingsTheApiWouldRefuse() {
        search.setMaxResults(500);
        assertThatThrownBy(search::check).hasMessage("X_MAX_RESULTS must be between 10 and 100 (the API's limits), not 500");
        search.setMaxResults(10);
        search.setQuery("");
        search.setKeywords("");
        assertThatThrownBy(search::check).hasMessageContaining("set X_QUERY (or TWITTER_KEYWORDS)");
        search.setSource("sample");
        search.check();
    }

    @Test
    void aPollStartsOnlyOnceThePollDelayHasPassedSinceTheLast() {
        search.setPollDelayMs(30_000);
        assertThat(search.begin()).isTrue();
        request();
        answer(200, "search-empty");
        pageDone();

        clock.advance(Duration.ofSeconds(29));
        assertThat(search.begin()).as("29 s after the last poll").isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(search.begin()).as("30 s after the last poll").isTrue();
    }

    @Test
    void aBareHostAsBaseUrlGetsTheVersionInThePath() {
        search.setApiBaseUrl("http://127.0.0.1:8089");
        search.begin();
        Exchange exchange = new DefaultExchange(context);
        search.request(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_PATH)).isEqualTo("2/tweets/search/recent");

        search.setApiBaseUrl("http://127.0.0.1:8089/2/");
        search.request(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_PATH)).isEqualTo("tweets/search/recent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12ab", "9999999999999999999", "0"})
    void aNewestIdThatIsNoTweetIdIsAMalformedAnswerAndTheCursorStays(String newestId) {
        cursors.saved.put(KEY, "{\"sinceId\":\"1861400000000000010\"}");
        search.begin();
        request();

        List<V2Tweet> tweets = answer(200, "{\"data\":[],\"meta\":{\"result_count\":0,\"newest_id\":\""
                + newestId + "\"}}");
        pageDone();

        assertThat(tweets).isEmpty();
        assertThat(search.sinceId()).isEqualTo("1861400000000000010");
        assertThat(search.begin()).as("backing off").isFalse();
    }

    private Map<String, String> request() {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody("left over");
        search.request(exchange);
        assertThat(exchange.getMessage().getBody()).isNull();
        String query = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        assertThat(query).doesNotContain(" ", "+");
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            String[] nameValue = pair.split("=", 2);
            parameters.put(nameValue[0], java.net.URLDecoder.decode(nameValue[1], StandardCharsets.UTF_8));
        }
        return parameters;
    }

    private List<V2Tweet> answer(int status, String fixtureOrBody) {
        return answer(status, fixtureOrBody, Map.of());
    }

    private List<V2Tweet> answer(int status, String fixtureOrBody, Map<String, String> headers) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        headers.forEach(exchange.getMessage()::setHeader);
        String body = fixtureOrBody.startsWith("{") ? fixtureOrBody : Tweets.v2Fixture(fixtureOrBody);
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return search.response(exchange);
    }

    private static List<String> ids(List<V2Tweet> tweets) {
        return tweets.stream().map(V2Tweet::id).toList();
    }
}
