package io.tweetstream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.tweetstream.kafka.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exactly once into Kafka, proven the hard way: the packaged app is killed (SIGKILL) at random
 * moments while it publishes, restarted each time against the same broker, and at the end a
 * read_committed reader finds every tweet of the pass exactly once. The broker outlives the app, as
 * a cluster does, so a killed run leaves a transaction open that the next run must settle.
 */
class ExactlyOnceIT {

    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceIT.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOKEN = "xb-DUMMY-eo-5e1f";
    /** The runs are short: start the JVM fast. */
    private static final String[] FAST_START = {"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"};

    @TempDir
    Path dataDir;

    private EmbeddedKafkaBroker broker;
    private final long seed = System.nanoTime();
    private final Random random = new Random(seed);

    @BeforeEach
    void startBroker() {
        broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 3);
        LOG.info("Kill moments drawn with seed {}", seed);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void onePassOfTheSampleKilledTenTimesEndsWithEveryTweetExactlyOnce() throws Exception {
        Set<String> sample = Tweets.sampleIds();
        Map<String, String> environment = environment();
        environment.put("TWEETS_SOURCE", "sample");
        environment.put("TWEETS_SAMPLE_LOOP", "false");
        // batches of 6 tweets every 40 ms: a pass takes about 2 s of publishing (a restart goes through
        // the tweets published before it again, dropped as duplicates)
        environment.put("TWEETS_SAMPLE_RATE", "150");
        environment.put("TWEETS_SAMPLE_TICK_MS", "40");
        // no catch-up bursts after a slow batch (the first one reads the ids back)
        environment.put("TWEETS_SAMPLE_MAX_BATCH", "6");

        killRepeatedly(10, environment, sample.size(), 6, 40);

        assertExactlyOnce(sample);
    }

    @Test
    void aPaginatedSearchKilledFiveTimesEndsWithEveryPostExactlyOnce() throws Exception {
        try (FakeXApi api = new FakeXApi()) {
            // 12 pages of 50 posts, each answered after 100 ms: a kill lands in the middle of the pagination
            Set<String> posts = api.timeline(1861500000000000001L, 600, 50, 100);
            Map<String, String> environment = environment();
            environment.put("TWEETS_SOURCE", "x-v2-search");
            environment.put("X_BEARER_TOKEN", TOKEN);
            environment.put("X_API_BASE_URL", api.baseUrl());
            environment.put("X_QUERY", "kafka");
            environment.put("X_MAX_RESULTS", "50");
            environment.put("X_MAX_PAGES", "20");
            environment.put("TWITTER_POLL_DELAY", "200");

            killRepeatedly(5, environment, posts.size(), 50, 100);

            assertExactlyOnce(posts);
            assertThat(api.requests()).as("the last run polls from the saved cursor").anyMatch(request ->
                    "1861500000000000600".equals(request.queryParameter("since_id").isPresent()
                            ? request.queryParameter("since_id").firstValue() : null));
        }
    }

    /**
     * Starts the app {@code kills + 1} times. Each of the first {@code kills} runs is killed at a random
     * moment while it publishes: once it has published a random number of new tweets (its own count;
     * at most a fair share of what is left, less {@code slack} for what it publishes before the kill),
     * after a further random delay of up to {@code maxDelayMs} (about one batch's cycle, so the kill
     * falls anywhere in it: in a transaction, in its commit, between two). The last run goes on until
     * the topic holds {@code expected} tweets.
     */
    private void killRepeatedly(int kills, Map<String, String> environment, int expected, int slack,
            int maxDelayMs) throws Exception {
        int midPass = 0;
        for (int run = 1; run <= kills; run++) {
            int before = committedKeys().size();
            int share = (expected - before) / (kills - run + 2) - slack;
            int step = 1 + random.nextInt(Math.max(1, share));
            long delay = random.nextInt(maxDelayMs);
            try (TweetstreamProcess app = TweetstreamProcess.start(environment, FAST_START)) {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                        .failFast("the application exited:\n" + app.tail(), () -> app.anyLine(l -> l.contains("could not start")))
                        // (or it went through the whole pass: nothing left to publish)
                        .until(() -> count(app, "published") >= step || count(app, "received") >= expected);
                // the rest of the kill's moment: a wait on a condition that is true, after the random delay
                await().pollDelay(Duration.ofMillis(delay)).atMost(Duration.ofMillis(delay + 1_000)).until(() -> true);
                app.kill();
                assertNoFailureIn(app);
            }
            int after = committedKeys().size();
            midPass += after < expected ? 1 : 0;
            LOG.info("Run {} killed {} ms after {} more tweet(s) were on the topic: {} tweets before it, {} after", run,
                    delay, step, before, after);
        }
        assertThat(midPass).as("kills that fell while the pass was still being published (seed %d)", seed)
                .isGreaterThanOrEqualTo((kills + 1) / 2);
        try (TweetstreamProcess app = TweetstreamProcess.start(environment, FAST_START)) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .failFast("the application exited:\n" + app.tail(), () -> app.anyLine(l -> l.contains("could not start")))
                    .until(() -> committedKeys().size() >= expected);
            app.stop();
            assertNoFailureIn(app);
        }
    }

    /** The tweets this run received or published, by its own count (0 before its metrics answer). */
    private static double count(TweetstreamProcess app, String what) {
        try {
            return PrometheusText.sum(app.get("/observe/metrics").getValue(), "tweetstream_tweets_" + what + "_total", "");
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private void assertExactlyOnce(Set<String> ids) {
        List<String> keys = committedKeys();
        Map<String, Long> counts = keys.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("tweets published twice (seed %d)", seed).isEmpty();
        assertThat(counts.keySet()).as("every tweet, and none else (seed %d)", seed)
                .containsExactlyInAnyOrderElementsOf(ids);
    }

    /** The tweet topic's keys as a read_committed reader sees them. */
    private List<String> committedKeys() {
        return TopicReader.keys(broker.bootstrapServers(), "rk_hadoop");
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("KAFKA_BROKERS", broker.bootstrapServers());
        environment.put("TWEETS_LOG_LEVEL", "OFF");
        return environment;
    }

    private static void assertNoFailureIn(TweetstreamProcess app) {
        assertThat(app.lines()).as("no tweet parked, no fencing, no secret")
                .noneMatch(line -> line.contains("dead-letter") && line.contains("ERROR"))
                .noneMatch(line -> line.contains("was fenced"))
                .noneMatch(line -> line.contains(TOKEN));
    }
}
