package io.tweetstream;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tweetstream.FakeTwitterApi.malformed;
import static io.tweetstream.FakeTwitterApi.rateLimited;
import static io.tweetstream.FakeTwitterApi.sampleTweets;
import static io.tweetstream.FakeTwitterApi.searchPage;
import static io.tweetstream.FakeTwitterApi.serverError;
import static io.tweetstream.FakeTwitterApi.timelinePage;
import static io.tweetstream.FakeTwitterApi.unauthorized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Twitter sources as users run them (the packaged jar, real camel-twitter and twitter4j, a real
 * broker) against a fake Twitter API v1.1 that misbehaves.
 */
class TwitterSourceIT {

    /** Recognisable dummy credentials: none may ever show up in the output. */
    private static final Map<String, String> CREDENTIALS = Map.of(
            "TWITTER_CONSUMER_KEY", "ck-DUMMY-7f3a91c2",
            "TWITTER_CONSUMER_SECRET", "cs-DUMMY-5be0d4a8",
            "TWITTER_ACCESS_TOKEN", "at-DUMMY-19c4e6b7",
            "TWITTER_ACCESS_TOKEN_SECRET", "ats-DUMMY-a2f8d013");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dataDir;

    private FakeTwitterApi api;
    private int port;

    @BeforeEach
    void startFakeApi() throws Exception {
        api = new FakeTwitterApi();
        port = PipelineIT.freePort();
    }

    @AfterEach
    void stopFakeApi() {
        api.close();
    }

    @Test
    void searchPublishesEachIdOnceThroughRateLimitsErrorsOverlapsAndARestart() throws Exception {
        Instant reset = Instant.now().plusSeconds(4);
        api.script(FakeTwitterApi.SEARCH, List.of(
                searchPage(sampleTweets(0, 5), "kafka"),
                rateLimited(reset),
                searchPage(sampleTweets(3, 8), "kafka"),
                serverError(),
                malformed(),
                searchPage(sampleTweets(6, 10), "kafka"),
                searchPage(sampleTweets(8, 10), "kafka")));

        try (TweetstreamProcess app = TweetstreamProcess.start(twitterEnvironment("twitter-search"))) {
            awaitTopicHolds(ids(0, 10), app);
            app.awaitLine(line -> line.contains("Twitter API rate limit reached (HTTP 429)"), WAIT);
            app.awaitLine(line -> line.contains("HTTP 500 (server error)"), WAIT);
            app.awaitLine(line -> line.contains("malformed response"), WAIT);
            assertNoSecretIn(app);
        }
        assertTopicHoldsExactlyOnce(ids(0, 10));
        List<LoggedRequest> requests = api.requests();
        assertThat(requests.get(2).getLoggedDate().toInstant()).as("first poll after the 429")
                .isAfterOrEqualTo(reset);
        assertThat(requests).allSatisfy(request -> assertThat(request.getHeader("Authorization"))
                .as("OAuth 1.0a signed").startsWith("OAuth ").contains("oauth_consumer_key=\"ck-DUMMY-7f3a91c2\""));

        api.script(FakeTwitterApi.SEARCH, List.of(searchPage(sampleTweets(6, 12), "kafka")));
        try (TweetstreamProcess restarted = TweetstreamProcess.start(twitterEnvironment("twitter-search"))) {
            awaitTopicHolds(ids(0, 12), restarted);
            assertNoSecretIn(restarted);
        }
        assertTopicHoldsExactlyOnce(ids(0, 12));
    }

    @Test
    void timelineRefusedWithHttp401SaysSoOnceIsNotReadyThenPublishesWhenAccepted() throws Exception {
        api.script(FakeTwitterApi.USER_TIMELINE, List.of(unauthorized(), unauthorized(),
                timelinePage(sampleTweets(20, 24))));
        Map<String, String> environment = twitterEnvironment("twitter-timeline");
        environment.put("TWITTER_REFUSED_RETRY_MS", "4000");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                Map.Entry<Integer, String> ready = app.get("/observe/health/ready");
                return ready.getKey() == 503 && ready.getValue().contains("refuses the credentials or the access tier");
            });
            awaitTopicHolds(ids(20, 24), app);
            await().atMost(WAIT).until(() -> app.get("/observe/health/ready").getKey() == 200);
            List<String> refused = app.lines().stream()
                    .filter(line -> line.contains("refused the credentials or the access tier")).toList();
            assertThat(refused).hasSize(1);
            assertThat(refused.get(0)).contains("ERROR").contains("HTTP 401").contains("TWITTER_ACCESS_TOKEN");
            app.awaitLine(line -> line.contains("Twitter API answers again"), WAIT);
            assertNoSecretIn(app);
            String metrics = app.get("/observe/metrics").getValue();
            assertThat(metrics).contains("camel_exchanges_total");
            CREDENTIALS.values().forEach(secret -> assertThat(metrics).doesNotContain(secret));
            String health = app.get("/observe/health").getValue();
            CREDENTIALS.values().forEach(secret -> assertThat(health).doesNotContain(secret));
        }
        assertTopicHoldsExactlyOnce(ids(20, 24));
        assertThat(api.requests()).allSatisfy(request -> assertThat(request.queryParameter("screen_name").firstValue())
                .isEqualTo("tweetstream_dev"));
    }

    @Test
    void missingCredentialsStopStartUpWithOneLineNamingThem() throws Exception {
        Map<String, String> environment = new HashMap<>(twitterEnvironment("twitter-search"));
        environment.remove("TWITTER_CONSUMER_SECRET");
        environment.remove("TWITTER_ACCESS_TOKEN_SECRET");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            assertThat(app.awaitExit(WAIT)).isNotZero();
            assertThat(app.lines()).anySatisfy(line -> assertThat(line)
                    .contains("TWEETS_SOURCE=twitter-search needs Twitter API credentials")
                    .contains("missing: TWITTER_CONSUMER_SECRET, TWITTER_ACCESS_TOKEN_SECRET"));
            assertNoSecretIn(app);
        }
    }

    private Map<String, String> twitterEnvironment(String source) {
        Map<String, String> environment = new HashMap<>(CREDENTIALS);
        environment.put("TWEETS_SOURCE", source);
        environment.put("TWITTER_API_BASE_URL", api.baseUrl());
        environment.put("TWITTER_KEYWORDS", "kafka");
        environment.put("TWITTER_USER", "tweetstream_dev");
        environment.put("TWITTER_POLL_DELAY", "200");
        environment.put("TWITTER_BACKOFF_MAX_MS", "1000");
        environment.put("TWITTER_REFUSED_RETRY_MS", "500");
        environment.put("KAFKA_EMBEDDED_PORT", Integer.toString(port));
        environment.put("KAFKA_EMBEDDED_DATA_DIR", dataDir.toString());
        environment.put("TWEETS_LOG_LEVEL", "DEBUG");
        return environment;
    }

    private void awaitTopicHolds(Set<String> ids, TweetstreamProcess app) {
        app.awaitLine(line -> line.contains("Embedded Kafka broker"), WAIT);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .failFast("the application exited:\n" + app.tail(), () -> !isRunning(app))
                .until(() -> keys().containsAll(ids));
    }

    private static boolean isRunning(TweetstreamProcess app) {
        return !app.anyLine(line -> line.contains("could not start"));
    }

    private Set<String> keys() {
        return Set.copyOf(TopicReader.keys("127.0.0.1:" + port, "rk_hadoop"));
    }

    private void assertTopicHoldsExactlyOnce(Set<String> ids) {
        // the app is stopped: read the topic with a broker of our own on the same data directory
        List<String> keys = TopicReader.keysOnceStopped(port, dataDir, "rk_hadoop");
        assertThat(keys).hasSameSizeAs(ids).containsExactlyInAnyOrderElementsOf(ids);
    }

    private static Set<String> ids(int from, int to) {
        return sampleTweets(from, to).stream().map(tweet -> tweet.get("id_str").asText())
                .collect(Collectors.toSet());
    }

    private static void assertNoSecretIn(TweetstreamProcess app) {
        for (String secret : CREDENTIALS.values()) {
            assertThat(app.lines()).as("output never shows %s", secret).noneMatch(line -> line.contains(secret));
        }
    }

}
