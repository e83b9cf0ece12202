package io.tweetstream;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tweetstream.FakeXApi.NEWER;
import static io.tweetstream.FakeXApi.NEWEST_OF_PAGE_1;
import static io.tweetstream.FakeXApi.NEXT_TOKEN;
import static io.tweetstream.FakeXApi.PAGE_1;
import static io.tweetstream.FakeXApi.PAGE_2;
import static io.tweetstream.FakeXApi.page;
import static io.tweetstream.FakeXApi.rateLimitedFor;
import static io.tweetstream.FakeXApi.serverError;
import static io.tweetstream.FakeXApi.unauthorized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The X API v2 source as users run it (the packaged jar, the real route, camel-http, a real broker)
 * against a fake API v2 on 127.0.0.1 that paginates, rate-limits, fails and refuses.
 */
class XSearchSourceIT {

    /** A recognisable dummy bearer token: it may never show up in the output, metrics or health. */
    private static final String TOKEN = "xb-DUMMY-3c9e71f0aa";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private FakeXApi api;
    private int port;

    @BeforeEach
    void startFakeApi() {
        api = new FakeXApi();
        port = TweetstreamProcess.freePort();
    }

    @AfterEach
    void stopFakeApi() {
        api.close();
    }

    @Test
    void noDuplicateAndNoGapAcrossACrashInTheMiddleOfAPollAndARestart() throws Exception {
        // run 1 is killed while it waits for page 2: page 1 is on Kafka, the cursor must not have moved
        api.answer(null, null, page("search-page-1"));
        api.answer(null, NEXT_TOKEN, page("search-page-2").withFixedDelay(60_000));
        try (TweetstreamProcess app = TweetstreamProcess.start(environment())) {
            app.awaitTweetsOnTopic(port, PAGE_1, WAIT);
            await().atMost(WAIT).until(() -> requests().stream().anyMatch(r -> NEXT_TOKEN.equals(param(r, "next_token"))));
            app.kill();
            assertNoSecretIn(app);
        }

        // run 2 asks for page 1 again (no since_id), then page 2, then only for newer tweets
        api.reset();
        api.answer(null, null, page("search-page-1"));
        api.answer(null, NEXT_TOKEN, page("search-page-2"));
        api.answer(NEWEST_OF_PAGE_1, null, page("search-empty"));
        try (TweetstreamProcess app = TweetstreamProcess.start(environment())) {
            app.awaitTweetsOnTopic(port, union(PAGE_1, PAGE_2), WAIT);
            await().atMost(WAIT).until(() -> requests().stream().anyMatch(r -> NEWEST_OF_PAGE_1.equals(param(r, "since_id"))));
            List<LoggedRequest> requests = requests();
            assertThat(param(requests.get(0), "since_id")).as("the crashed poll saved no cursor").isNull();
            assertThat(param(requests.get(1), "next_token")).as("pagination followed").isEqualTo(NEXT_TOKEN);
            assertThat(requests).allSatisfy(request -> {
                assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
                assertThat(param(request, "query")).isEqualTo("kafka -is:retweet");
                assertThat(param(request, "max_results")).isEqualTo("100");
                assertThat(param(request, "expansions")).isEqualTo("author_id,referenced_tweets.id,referenced_tweets.id.author_id");
            });
            app.stop();
            assertNoSecretIn(app);
        }

        // run 3 starts from the durable cursor
        api.reset();
        api.answer(NEWEST_OF_PAGE_1, null, page("search-newer"));
        api.answer("1861400000000000013", null, page("search-empty"));
        try (TweetstreamProcess app = TweetstreamProcess.start(environment())) {
            app.awaitTweetsOnTopic(port, union(PAGE_1, PAGE_2, NEWER), WAIT);
            assertThat(param(requests().get(0), "since_id")).as("from the saved cursor").isEqualTo(NEWEST_OF_PAGE_1);
            app.awaitLine(line -> line.contains("resuming after since_id " + NEWEST_OF_PAGE_1), WAIT);
            app.stop();
            assertNoSecretIn(app);
        }
        assertTopicHoldsExactlyOnce(union(PAGE_1, PAGE_2, NEWER));
    }

    @Test
    void aRateLimitIsWaitedOutUntilItsResetAndServerErrorsBackOff() throws Exception {
        api.script(null, null, List.of(rateLimitedFor(4), serverError(), serverError(), page("search-newer")));
        api.answer("1861400000000000013", null, page("search-empty"));

        try (TweetstreamProcess app = TweetstreamProcess.start(environment())) {
            app.awaitTweetsOnTopic(port, NEWER, WAIT);
            app.awaitLine(line -> line.contains("WARN") && line.contains("X API rate limit reached (HTTP 429)"), WAIT);
            app.awaitLine(line -> line.contains("WARN") && line.contains("HTTP 503 (server error)"), WAIT);
            app.awaitLine(line -> line.contains("X API answers again"), WAIT);
            // 429, 503, 503, the page; then the polls for newer tweets
            List<LoggedRequest> requests = requests().stream().filter(r -> param(r, "since_id") == null).toList();
            List<Instant> at = requests.stream().map(r -> r.getLoggedDate().toInstant()).toList();
            assertThat(requests).hasSize(4);
            // the 429 said: reset in 4 s (whole seconds, so at least 3 s from then on)
            Instant reset = Instant.ofEpochSecond(Long.parseLong(api.responseHeader(requests.get(0), "x-rate-limit-reset")));
            assertThat(reset).isAfter(at.get(0).plusSeconds(3));
            assertThat(at.get(1)).as("first poll after the 429").isAfterOrEqualTo(reset);
            // the 429 was the first failure in a row: the 503s wait 2 and 4 poll delays
            assertThat(Duration.between(at.get(1), at.get(2))).as("back-off after a 503")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(400));
            assertThat(Duration.between(at.get(2), at.get(3))).as("doubled")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(800));

            String metrics = app.get("/observe/metrics").getValue();
            assertThat(metrics).containsPattern("tweetstream_twitter_api_errors_total\\{[^}]*status=\"429\"[^}]*} 1\\.0")
                    .containsPattern("tweetstream_twitter_api_errors_total\\{[^}]*status=\"503\"[^}]*} 2\\.0")
                    .containsPattern("tweetstream_tweets_received_total\\{[^}]*source=\"x-v2-search\"[^}]*} 3\\.0")
                    .containsPattern("tweetstream_twitter_rate_limit_remaining(\\{[^}]*})? 59\\.0")
                    .doesNotContain(TOKEN);
            assertNoSecretIn(app);
        }
        assertTopicHoldsExactlyOnce(NEWER);
    }

    @Test
    void aRefusedTokenIsToldOnceAndMakesTheAppNotReadyUntilTheApiAcceptsIt() throws Exception {
        api.script(null, null, List.of(unauthorized(), unauthorized(), page("search-newer")));
        api.answer("1861400000000000013", null, page("search-empty"));
        Map<String, String> environment = environment();
        environment.put("TWITTER_REFUSED_RETRY_MS", "3000");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                Map.Entry<Integer, String> ready = app.get("/observe/health/ready");
                return ready.getKey() == 503 && ready.getValue().contains("X API refuses the credentials or the access tier");
            });
            String health = app.get("/observe/health?data=true").getValue();
            assertThat(health).containsPattern("\"condition\"\\s*:\\s*\"REFUSED\"").doesNotContain(TOKEN);
            app.awaitTweetsOnTopic(port, NEWER, WAIT);
            await().atMost(WAIT).until(() -> app.get("/observe/health/ready").getKey() == 200);

            List<String> refused = app.lines().stream().filter(line -> line.contains("refused the credentials")).toList();
            assertThat(refused).hasSize(1);
            assertThat(refused.get(0)).contains("ERROR").contains("HTTP 401").contains("X_BEARER_TOKEN")
                    .contains("access tier");
            app.awaitLine(line -> line.contains("X API answers again"), WAIT);
            assertThat(app.get("/observe/metrics").getValue()).doesNotContain(TOKEN);
            assertThat(app.get("/observe/health?data=true").getValue()).doesNotContain(TOKEN);
            assertNoSecretIn(app);
        }
        assertTopicHoldsExactlyOnce(NEWER);
    }

    @Test
    void aMissingBearerTokenStopsStartUpWithOneLineNamingIt() throws Exception {
        Map<String, String> environment = environment();
        environment.remove("X_BEARER_TOKEN");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            assertThat(app.awaitExit(WAIT)).isEqualTo(1);
            assertThat(app.lines().stream().filter(line -> line.contains("X_BEARER_TOKEN")).toList()).singleElement()
                    .asString().contains("ERROR").contains("TWEETS_SOURCE=x-v2-search needs an X API bearer token")
                    .contains("missing: X_BEARER_TOKEN");
        }
        assertThat(api.requests()).isEmpty();
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("TWEETS_SOURCE", "x-v2-search");
        environment.put("X_BEARER_TOKEN", TOKEN);
        environment.put("X_API_BASE_URL", api.baseUrl());
        environment.put("X_QUERY", "kafka -is:retweet");
        environment.put("TWITTER_KEYWORDS", "not-this-one");
        environment.put("TWITTER_POLL_DELAY", "200");
        environment.put("TWITTER_BACKOFF_MAX_MS", "2000");
        environment.put("TWITTER_REFUSED_RETRY_MS", "500");
        environment.put("KAFKA_EMBEDDED_PORT", Integer.toString(port));
        environment.put("KAFKA_EMBEDDED_DATA_DIR", dataDir.toString());
        environment.put("TWEETS_LOG_LEVEL", "DEBUG");
        return environment;
    }

    /** The requests the fake API received, oldest first. */
    private List<LoggedRequest> requests() {
        return api.requests().stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
    }


    private void assertTopicHoldsExactlyOnce(Set<String> ids) {
        List<String> keys = TopicReader.keysOnceStopped(port, dataDir, "rk_hadoop");
        assertThat(keys).hasSameSizeAs(ids).containsExactlyInAnyOrderElementsOf(ids);
    }

    private static String param(LoggedRequest request, String name) {
        var values = request.queryParameter(name);
        return values.isPresent() ? values.firstValue() : null;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        return Stream.of(sets).flatMap(Set::stream).collect(Collectors.toSet());
    }

    private static void assertNoSecretIn(TweetstreamProcess app) {
        assertThat(app.lines()).as("output never shows the bearer token").noneMatch(line -> line.contains(TOKEN));
    }
}
