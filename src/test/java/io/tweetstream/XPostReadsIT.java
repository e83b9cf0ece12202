package io.tweetstream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static io.tweetstream.FakeXApi.NEWER;
import static io.tweetstream.FakeXApi.NEWEST_OF_PAGE_1;
import static io.tweetstream.FakeXApi.NEXT_TOKEN;
import static io.tweetstream.FakeXApi.PAGE_1;
import static io.tweetstream.FakeXApi.PAGE_2;
import static io.tweetstream.FakeXApi.page;
import static io.tweetstream.FakeXApi.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the X sources read and cost, as users run them (the packaged jar, the real routes, a real
 * broker) against the fake X APIs: the meter counts what the fakes served, the daily budget stops the
 * next request and keeps every post read, and X's usage endpoint failing changes nothing else.
 */
class XPostReadsIT {

    private static final String TOKEN = "xc-DUMMY-51f0e2b7c3";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NEWEST = "1861400000000000013";

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
    void theBudgetReachedByAPageStopsTheNextRequestKeepsEveryPostReadOnKafkaAndSurvivesARestart() throws Exception {
        api.answer(null, null, page("search-page-1"));
        api.answer(null, NEXT_TOKEN, page("search-page-2"));
        Map<String, String> environment = searchEnvironment();
        environment.put("X_DAILY_POST_READS_BUDGET", "5");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            assertThat(app.awaitLine(line -> line.contains("X post-read budget"), WAIT)).contains("INFO")
                    .contains("X post-read budget: 5 reads a day, about $0.03 a day at $0.005 a read"
                            + " (X_DAILY_POST_READS_BUDGET; 0 turns it off)");
            app.awaitTweetsOnTopic(port, PAGE_1, WAIT);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                Map.Entry<Integer, String> ready = app.get("/observe/health/ready");
                return ready.getKey() == 503 && ready.getValue().contains("X_DAILY_POST_READS_BUDGET reached");
            });
            // some usage polls later (each 300 ms), many poll delays (200 ms) have passed
            awaitUsagePolls(4);
            assertThat(api.requests()).as("no request after the page that reached the budget, not even its next page")
                    .singleElement().satisfies(request -> assertThat(request.queryParameter("next_token").isPresent()).isFalse());
            List<String> errors = app.lines().stream().filter(line -> line.contains("ERROR")).toList();
            assertThat(errors).singleElement().asString().contains("X_DAILY_POST_READS_BUDGET reached")
                    .contains("5 distinct posts read today").contains("budget 5").contains("T00:00:00Z")
                    .contains("x-v2-search");
            String metrics = app.get("/observe/metrics").getValue();
            assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_total", "source=\"x-v2-search\"")).isEqualTo(5);
            assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_today", "")).isEqualTo(5);
            assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_cost_usd", "")).isEqualTo(0.025);
            assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_budget", "")).isEqualTo(5);
            assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_paused", "")).isEqualTo(1);
            app.stop();
            assertNoSecretIn(app);
        }

        // a restart the same UTC day goes on from the saved count: still paused, no request at all
        api.reset();
        api.answer(null, NEXT_TOKEN, page("search-page-2"));
        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            app.awaitLine(line -> line.contains("ERROR") && line.contains("X_DAILY_POST_READS_BUDGET reached"), WAIT);
            awaitUsagePolls(4);
            assertThat(api.requests()).isEmpty();
            assertThat(app.get("/observe/health/ready").getKey()).isEqualTo(503);
            app.awaitTweetsOnTopic(port, PAGE_1, WAIT);
            assertTopicHoldsExactlyOnce(PAGE_1);
            app.stop();
        }
    }

    @Test
    void theMeterCountsEveryPostTheFakeServedDuplicatesIncludedWhileTheUsageEndpointFailsInEveryWay() throws Exception {
        api.answer(null, null, page("search-page-1"));
        api.answer(null, NEXT_TOKEN, page("search-page-2"));
        api.answer(NEWEST_OF_PAGE_1, null, page("search-newer"));
        // the older page again, twice (X bills each read), then nothing new
        api.script(NEWEST, null, List.of(page("search-page-2"), page("search-page-2"), page("search-empty")));
        api.scriptUsage(List.of(usageError(500), usageError(429), aResponse().withStatus(200).withBody("<html>oops</html>"),
                usage(1_000, 3_000_000, 12).withFixedDelay(3_000), usage(2_500_000, 3_000_000, 12)));
        Map<String, String> environment = searchEnvironment();
        environment.put("X_TIMEOUT_MS", "1000");
        // no budget: every read is counted, none is refused
        environment.put("X_DAILY_POST_READS_BUDGET", "0");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            assertThat(app.awaitLine(line -> line.contains("X post-read budget"), WAIT)).contains("WARN")
                    .contains("X post-read budget: none (X_DAILY_POST_READS_BUDGET=0): the X source x-v2-search reads"
                            + " without a daily limit, at $0.005 a read");
            app.awaitLine(line -> line.contains("X usage endpoint") && line.contains("answers again"), WAIT);
            app.awaitTweetsOnTopic(port, union(PAGE_1, PAGE_2, NEWER), WAIT);
            await().atMost(WAIT).until(() -> api.requests().stream().filter(r -> NEWEST.equals(sinceId(r))).count() >= 3);
            awaitUsagePolls(3);
            assertThat(app.get("/observe/health/ready").getKey()).isEqualTo(200);
            String metrics = app.get("/observe/metrics").getValue();
            // 5 + 3 + 3 + 3 + 3 + 0 ...
            assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_total", "source=\"x-v2-search\"")).isEqualTo(17);
            assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_today", "")).isEqualTo(11);
            assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_cost_usd", "")).isEqualTo(0.055);
            assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_budget", "")).isZero();
            assertThat(metrics).as("the search never failed").doesNotContain("tweetstream_twitter_api_errors_total{");
            // the usage endpoint: each failure counted, the gauges from its answer once it answers
            for (String status : new String[] {"500", "429", "200", "-1"}) {
                assertThat(PrometheusText.single(metrics, "tweetstream_x_usage_errors_total", "status=\"" + status + "\"")).isEqualTo(1);
            }
            assertThat(PrometheusText.single(metrics, "tweetstream_x_usage_posts", "")).isEqualTo(2_500_000);
            assertThat(PrometheusText.single(metrics, "tweetstream_x_usage_cap", "")).isEqualTo(3_000_000);
            assertThat(PrometheusText.single(metrics, "tweetstream_x_usage_cap_reset_day", "")).isEqualTo(12);
            List<String> told = app.lines().stream().filter(line -> line.contains("X usage endpoint")).toList();
            assertThat(told).as("one line per failure streak, one when it answers again").hasSize(2);
            assertThat(told.get(0)).contains("WARN").contains("HTTP 500").contains("the sources go on");
            assertThat(app.lines().stream().filter(line -> line.contains("of the cap")).toList()).as("once, not every poll")
                    .singleElement().asString().contains("WARN").contains("X usage at 83 % of the cap")
                    .contains("2,500,000 of 3,000,000");
            assertThat(app.lines()).noneMatch(line -> line.contains("ERROR"));
            assertThat(api.usageRequests()).allSatisfy(request ->
                    assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN));
            assertThat(metrics).doesNotContain(TOKEN);
            assertTopicHoldsExactlyOnce(union(PAGE_1, PAGE_2, NEWER));
            app.stop();
            assertNoSecretIn(app);
        }
    }

    @Test
    void theStreamDisconnectsAtTheBudgetAndEveryPostItReadIsOnKafka() throws Exception {
        try (FakeXStream stream = new FakeXStream()) {
            stream.setToken(TOKEN);
            stream.setKeepAliveMillis(300);
            stream.addRule("apachekafka -is:retweet", "kafka");
            Map<String, String> environment = new HashMap<>(searchEnvironment());
            environment.put("TWEETS_SOURCE", "x-v2-stream");
            environment.put("X_API_BASE_URL", stream.baseUrl());
            environment.put("X_STREAM_RULES", "[{\"value\":\"apachekafka -is:retweet\",\"tag\":\"kafka\"}]");
            environment.put("X_DAILY_POST_READS_BUDGET", "8");
            try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
                await().atMost(WAIT).failFast("the application exited:\n" + app.tail(),
                        () -> app.anyLine(l -> l.contains("could not start"))).until(() -> stream.openStreams() == 1);
                for (int i = 0; i < 8; i++) {
                    stream.publish("kafka");
                }
                await().atMost(WAIT).until(() -> stream.openStreams() == 0);
                // posts of the rest of the day are not read: no connection, however long it waits
                stream.publish("kafka");
                await().atMost(WAIT).until(() -> stream.requests(FakeXStream.USAGE).size() >= 4);
                assertThat(stream.streamConnects()).isEqualTo(1);
                Map.Entry<Integer, String> ready = app.get("/observe/health/ready");
                assertThat(ready.getKey()).isEqualTo(503);
                assertThat(ready.getValue()).contains("X_DAILY_POST_READS_BUDGET reached");
                Set<String> streamed = stream.published().stream().filter(FakeXStream.Post::streamed)
                        .map(FakeXStream.Post::id).collect(Collectors.toSet());
                assertThat(streamed).hasSizeGreaterThanOrEqualTo(8);
                app.awaitTweetsOnTopic(port, streamed, WAIT);
                String metrics = app.get("/observe/metrics").getValue();
                assertThat(PrometheusText.single(metrics, "tweetstream_x_post_reads_total", "endpoint=\"tweets/search/stream\""))
                        .isEqualTo(streamed.size());
                assertThat(metrics).containsPattern("tweetstream_x_stream_disconnects_total\\{[^}]*reason=\"budget\"[^}]*} 1\\.0");
                assertThat(app.lines().stream().filter(line -> line.contains("ERROR")).toList()).singleElement()
                        .asString().contains("X_DAILY_POST_READS_BUDGET reached").contains("x-v2-stream");
                assertTopicHoldsExactlyOnce(streamed);
                app.stop();
                assertNoSecretIn(app);
            }
        }
    }

    @Test
    void aBudgetThatIsNoNumberStopsStartUpNamingTheVariable() throws Exception {
        Map<String, String> environment = searchEnvironment();
        environment.put("X_DAILY_POST_READS_BUDGET", "abc");
        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            assertThat(app.awaitExit(WAIT)).isEqualTo(1);
            assertThat(app.lines()).anySatisfy(line -> assertThat(line).contains("ERROR").contains("could not start")
                    .contains("X_DAILY_POST_READS_BUDGET=abc is not a whole number"));
        }
        assertThat(api.requests()).isEmpty();
    }

    private Map<String, String> searchEnvironment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("TWEETS_SOURCE", "x-v2-search");
        environment.put("X_BEARER_TOKEN", TOKEN);
        environment.put("X_API_BASE_URL", api.baseUrl());
        environment.put("X_QUERY", "kafka -is:retweet");
        environment.put("TWITTER_POLL_DELAY", "200");
        environment.put("TWITTER_BACKOFF_MAX_MS", "2000");
        environment.put("X_USAGE_POLL_INTERVAL_MS", "300");
        environment.put("KAFKA_EMBEDDED_PORT", Integer.toString(port));
        environment.put("KAFKA_EMBEDDED_DATA_DIR", dataDir.toString());
        return environment;
    }

    /** Waits for this many more polls of the usage endpoint than so far. */
    private void awaitUsagePolls(int more) {
        int before = api.usageRequests().size();
        await().atMost(WAIT).until(() -> api.usageRequests().size() >= before + more);
    }

    private static ResponseDefinitionBuilder usageError(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"title\":\"error " + status + "\",\"type\":\"about:blank\",\"status\":" + status + "}");
    }

    private static String sinceId(com.github.tomakehurst.wiremock.verification.LoggedRequest request) {
        var values = request.queryParameter("since_id");
        return values.isPresent() ? values.firstValue() : null;
    }


    /** While the app runs, once {@link TweetstreamProcess#awaitTweetsOnTopic} saw them all. */
    private void assertTopicHoldsExactlyOnce(Set<String> ids) {
        List<String> keys = TopicReader.keys("127.0.0.1:" + port, "rk_hadoop");
        assertThat(keys).hasSameSizeAs(ids).containsExactlyInAnyOrderElementsOf(ids);
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        return Stream.of(sets).flatMap(Set::stream).collect(Collectors.toSet());
    }

    private static void assertNoSecretIn(TweetstreamProcess app) {
        assertThat(app.lines()).as("output never shows the bearer token").noneMatch(line -> line.contains(TOKEN));
    }
}
