package io.tweetstream;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The X API v2 filtered-stream source as users run it (the packaged jar, the real routes, a real
 * broker) against a fake filtered stream on 127.0.0.1 that drops, stalls, disconnects, duplicates,
 * splits lines, refuses and rate-limits, with a recent search for gap fill.
 */
class XStreamSourceIT {

    /** A recognisable dummy bearer token: it may never show up in the output, metrics or health. */
    private static final String TOKEN = "xs-DUMMY-77b1c4e2d9";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String RULES = "[{\"value\":\"apachekafka -is:retweet\",\"tag\":\"kafka\"},"
            + "{\"value\":\"#apachecamel\",\"tag\":\"camel\"}]";

    @TempDir
    Path dataDir;

    private FakeXStream api;
    private int port;

    @BeforeEach
    void startFakeApi() {
        api = new FakeXStream();
        api.setToken(TOKEN);
        api.setKeepAliveMillis(300);
        port = TweetstreamProcess.freePort();
    }

    @AfterEach
    void stopFakeApi() {
        api.close();
    }

    /**
     * The assertion that matters: every post published for the configured rules after the stream
     * first opened is on rk_hadoop exactly once, whatever the stream did and although the app was
     * killed mid-stream, and the live rules are the configured ones.
     */
    @Test
    void everyPostIsOnKafkaExactlyOnceAcrossDropsStallsDisconnectsDuplicatesAndAKill() throws Exception {
        api.addRule("a stray rule of another tool", "stray");
        api.setLingerMillis(200);
        api.enqueue(FakeXStream.live().dropAfter(4),
                FakeXStream.live().splitLines().duplicates().stallAfter(4),
                FakeXStream.live().operationalDisconnectAfter(3),
                FakeXStream.live().bareNewlines().withErrorsInMessages().garbageLine("{not json"));
        Publisher publisher = new Publisher(api);
        try (TweetstreamProcess app = TweetstreamProcess.start(environment())) {
            await().atMost(WAIT).failFast("the application exited:\n" + app.tail(), () -> app.anyLine(l -> l.contains("could not start")))
                    .until(() -> api.openStreams() == 1);
            publisher.start();
            // through the drop, the stall, the operational disconnect and the hostile last connection
            await().atMost(WAIT).until(() -> api.streamConnects() >= 5 && publisher.count() >= 60);
            app.awaitTweetsOnTopic(port, publisher.ids(), WAIT);
            String metrics = app.get("/observe/metrics").getValue();
            for (String reason : new String[] {"drop", "stall", "operational-disconnect", "http-429"}) {
                assertThat(metrics).as("disconnects by %s", reason).containsPattern(
                        "tweetstream_x_stream_disconnects_total\\{[^}]*reason=\"" + reason + "\"[^}]*} [1-9]");
            }
            assertThat(metrics).containsPattern("tweetstream_x_stream_unparseable_total(\\{[^}]*})? 1\\.0")
                    .containsPattern("tweetstream_x_stream_connects_total(\\{[^}]*})? [4-9]");
            // killed mid-stream, posts published while it is down, then restarted
            app.kill();
            assertNoSecretIn(app);
        }
        int beforeRestart = publisher.count();
        await().atMost(WAIT).until(() -> publisher.count() >= beforeRestart + 10);
        try (TweetstreamProcess app = TweetstreamProcess.start(environment())) {
            app.awaitLine(line -> line.contains("the gap since then is filled from recent search"), WAIT);
            int afterRestart = publisher.count();
            await().atMost(WAIT).until(() -> publisher.count() >= afterRestart + 10);
            publisher.stop();
            app.awaitTweetsOnTopic(port, publisher.ids(), WAIT);

            String metrics = app.get("/observe/metrics").getValue();
            assertThat(metrics).containsPattern("tweetstream_x_stream_connects_total(\\{[^}]*})? [1-9]")
                    .containsPattern("tweetstream_x_stream_keepalives_total(\\{[^}]*})? [1-9]")
                    .containsPattern("tweetstream_x_stream_gap_fill_posts_total(\\{[^}]*})? [1-9]")
                    .containsPattern("tweetstream_x_stream_posts_total\\{[^}]*tag=\"camel\"[^}]*} [1-9]")
                    .contains("tweetstream_x_stream_last_byte_age_seconds")
                    .contains("tweetstream_x_stream_queue_depth")
                    .doesNotContain(TOKEN);
            assertThat(app.get("/observe/health?data=true").getValue()).doesNotContain(TOKEN);
            app.stop();
            assertNoSecretIn(app);
        }
        List<String> keys = TopicReader.keysOnceStopped(port, dataDir, "rk_hadoop");
        assertThat(keys).as("every post exactly once").hasSameSizeAs(publisher.ids())
                .containsExactlyInAnyOrderElementsOf(publisher.ids());
        assertThat(api.rules()).extracting(FakeXStream.Rule::value, FakeXStream.Rule::tag).containsExactlyInAnyOrder(
                tuple("apachekafka -is:retweet", "kafka"), tuple("#apachecamel", "camel"));
        List<ConsumerRecord<String, byte[]>> parked;
        try (var broker = io.tweetstream.kafka.EmbeddedKafkaBroker.start("127.0.0.1", port, dataDir, 3)) {
            parked = TopicReader.readAll(broker.bootstrapServers(), "rk_hadoop.dlq");
        }
        assertThat(parked).singleElement().satisfies(record -> {
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
            assertThat(TopicReader.header(record, "dlq.source")).contains("x-v2-stream");
        });
        // the stream asked for the fields the mapper needs, with the token in the header only
        assertThat(api.requests()).allSatisfy(request -> {
            assertThat(request.headers().get("authorization")).isEqualTo("Bearer " + TOKEN);
            assertThat(request.query().values()).noneMatch(value -> value.contains(TOKEN));
        });
    }

    @Test
    void refusalsServerErrorsRateLimitsAndASecondConnectionAreWaitedOutEachByItsOwnSchedule() throws Exception {
        api.addRule("apachekafka -is:retweet", "kafka");
        api.addRule("#apachecamel", "camel");
        api.enqueue(FakeXStream.unauthorized(), FakeXStream.serverError(), FakeXStream.rateLimited(3),
                FakeXStream.tooManyConnections(), FakeXStream.tooManyConnections(), FakeXStream.live());
        Map<String, String> environment = environment();
        environment.put("TWITTER_REFUSED_RETRY_MS", "2500");
        environment.put("X_STREAM_BACKOFF_HTTP_MS", "400");
        environment.put("X_STREAM_BACKOFF_RATE_LIMIT_MS", "700");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                Map.Entry<Integer, String> ready = app.get("/observe/health/ready");
                return ready.getKey() == 503 && ready.getValue().contains("refused the credentials or the access tier");
            });
            await().atMost(WAIT).until(() -> api.openStreams() == 1);
            await().atMost(WAIT).until(() -> app.get("/observe/health/ready").getKey() == 200);
            String id = api.publish("camel").id();
            app.awaitTweetsOnTopic(port, Set.of(id), WAIT);

            List<String> refused = app.lines().stream().filter(line -> line.contains("refused the credentials")).toList();
            assertThat(refused).singleElement().asString().contains("ERROR").contains("HTTP 401")
                    .contains("X_BEARER_TOKEN");
            app.awaitLine(line -> line.contains("WARN") && line.contains("HTTP 503"), WAIT);
            app.awaitLine(line -> line.contains("WARN") && line.contains("rate limit reached (HTTP 429)"), WAIT);
            app.awaitLine(line -> line.contains("WARN") && line.contains("TooManyConnections")
                    && line.contains("TWEETS_SOURCE=none"), WAIT);

            List<Instant> at = api.requests(FakeXStream.STREAM).stream().map(FakeXStream.Request::at).toList();
            assertThat(at).hasSizeGreaterThanOrEqualTo(6);
            assertThat(Duration.between(at.get(0), at.get(1))).as("401: the refused retry").isGreaterThanOrEqualTo(Duration.ofMillis(2400));
            assertThat(Duration.between(at.get(1), at.get(2))).as("503: the HTTP back-off").isGreaterThanOrEqualTo(Duration.ofMillis(380));
            assertThat(Duration.between(at.get(2), at.get(3))).as("429: until the reset").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(Duration.between(at.get(3), at.get(4))).as("TooManyConnections: the 429 back-off")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1300));
            assertThat(Duration.between(at.get(4), at.get(5))).as("doubled").isGreaterThanOrEqualTo(Duration.ofMillis(2700));

            String metrics = app.get("/observe/metrics").getValue();
            assertThat(metrics).containsPattern("tweetstream_x_stream_disconnects_total\\{[^}]*reason=\"http-401\"[^}]*} 1\\.0")
                    .containsPattern("tweetstream_x_stream_disconnects_total\\{[^}]*reason=\"http-503\"[^}]*} 1\\.0")
                    .containsPattern("tweetstream_x_stream_disconnects_total\\{[^}]*reason=\"http-429\"[^}]*} 3\\.0")
                    .doesNotContain(TOKEN);
            assertNoSecretIn(app);
        }
    }

    @Test
    void aStreamWithoutRulesIsAConfigurationErrorNotAReconnectLoop() throws Exception {
        Map<String, String> environment = environment();
        environment.put("X_STREAM_RULES_SYNC", "off");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                Map.Entry<Integer, String> ready = app.get("/observe/health/ready");
                return ready.getKey() == 503 && ready.getValue().contains("no rules");
            });
            String line = app.awaitLine(l -> l.contains("ERROR") && l.contains("HTTP 409"), WAIT);
            assertThat(line).contains("X_STREAM_RULES").contains("X_STREAM_RULES_SYNC");
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> api.streamConnects() == 1);
            assertThat(api.requests(FakeXStream.RULES)).noneMatch(request -> request.method().equals("POST"));
        }
    }

    @Test
    void anInvalidRuleStopsStartUpNamingTheRuleAndXsReason() throws Exception {
        api.refuseRulesContaining("BAD");
        Map<String, String> environment = environment();
        environment.put("X_STREAM_RULES", "[{\"value\":\"kafka\",\"tag\":\"kafka\"},{\"value\":\"BAD((rule\",\"tag\":\"bad\"}]");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            assertThat(app.awaitExit(WAIT)).isEqualTo(1);
            assertThat(app.lines()).anySatisfy(line -> assertThat(line).contains("ERROR").contains("BAD((rule")
                    .contains("X_STREAM_RULES").contains("UnprocessableEntity"));
            assertNoSecretIn(app);
        }
        assertThat(api.streamConnects()).isZero();
        assertThat(api.rules()).isEmpty();
    }

    @Test
    void aSettingThatIsNoNumberStopsStartUpNamingTheVariable() throws Exception {
        Map<String, String> environment = environment();
        environment.put("X_STREAM_STALL_TIMEOUT_MS", "30s");

        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            assertThat(app.awaitExit(WAIT)).isEqualTo(1);
            assertThat(app.lines()).anySatisfy(line -> assertThat(line).contains("ERROR")
                    .contains("X_STREAM_STALL_TIMEOUT_MS=30s is not a whole number of milliseconds"));
        }
        assertThat(api.requests()).isEmpty();
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("TWEETS_SOURCE", "x-v2-stream");
        environment.put("X_BEARER_TOKEN", TOKEN);
        environment.put("X_API_BASE_URL", api.baseUrl());
        environment.put("X_STREAM_RULES", RULES);
        environment.put("X_STREAM_STALL_TIMEOUT_MS", "1500");
        environment.put("X_STREAM_BACKOFF_NETWORK_MS", "100");
        environment.put("X_STREAM_BACKOFF_HTTP_MS", "200");
        environment.put("X_STREAM_BACKOFF_RATE_LIMIT_MS", "300");
        environment.put("X_STREAM_BACKOFF_MAX_MS", "3000");
        environment.put("X_STREAM_HEALTHY_AFTER_MS", "500");
        environment.put("KAFKA_EMBEDDED_PORT", Integer.toString(port));
        environment.put("KAFKA_EMBEDDED_DATA_DIR", dataDir.toString());
        return environment;
    }



    private static void assertNoSecretIn(TweetstreamProcess app) {
        assertThat(app.lines()).as("output never shows the bearer token").noneMatch(line -> line.contains(TOKEN));
    }

    /** Publishes a post every 40 ms, alternating the two rules' tags, on a thread of its own. */
    private static final class Publisher {
        private final FakeXStream api;
        private final List<String> ids = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean();
        private Thread thread;

        Publisher(FakeXStream api) {
            this.api = api;
        }

        void start() {
            running.set(true);
            thread = new Thread(() -> {
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                int n = 0;
                while (running.get() && System.nanoTime() < deadline) {
                    ids.add(api.publish(n++ % 2 == 0 ? "kafka" : "camel").id());
                    try {
                        Thread.sleep(40);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "publisher");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(15_000);
        }

        int count() {
            return ids.size();
        }

        Set<String> ids() {
            return new java.util.HashSet<>(ids);
        }
    }
}
