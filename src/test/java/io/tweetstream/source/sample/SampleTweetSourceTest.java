package io.tweetstream.source.sample;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.tweetstream.Tweets;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import twitter4j.v1.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SampleTweetSourceTest {

    private static final List<String> FIXTURES = List.of("retweet", "emoji", "extended", "no-entities", "reply");

    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong(1);

    @Test
    void onePassWithoutLoopSendsEachSampleTweetOnceThenNothing() throws Exception {
        SampleTweetSource source = source(0, false);

        List<Status> sent = drain(source, 10);

        assertThat(sent).extracting(Status::getId).containsExactly(1861299999999999999L, 1861300000000000001L,
                1861300000000000002L, 1861300000000000003L, 1861300000000000004L);
        assertThat(source.nextBatch()).isEmpty();
    }

    @Test
    void loopingGivesEveryTweetAFreshIncreasingIdAndCurrentTimestamp() throws Exception {
        SampleTweetSource source = source(0, true);
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Status> originals = drain(source(0, false), FIXTURES.size());

        List<Status> sent = drain(source, 3 * FIXTURES.size());

        long maxOriginal = originals.stream().mapToLong(Status::getId).max().orElseThrow();
        long previous = maxOriginal;
        for (Status status : sent) {
            assertThat(status.getId()).as("fresh, increasing id").isGreaterThan(previous);
            previous = status.getId();
            assertThat(status.getCreatedAt()).isAfterOrEqualTo(LocalDateTime.ofInstant(start,
                    java.time.ZoneId.systemDefault()));
        }
        for (int i = 0; i < sent.size(); i++) {
            Status original = originals.get(i % FIXTURES.size());
            assertThat(sent.get(i).getText()).isEqualTo(original.getText());
            assertThat(sent.get(i).getUser().getId()).isEqualTo(original.getUser().getId());
        }
        assertThat(sent.get(0).getRetweetedStatus().getId()).isEqualTo(originals.get(0).getRetweetedStatus().getId());
    }

    @Test
    void freshIdsStayAboveIdsOfAnEarlierRun() throws Exception {
        SampleTweetSource earlier = source(0, true);
        long lastOfEarlierRun = drain(earlier, 3 * FIXTURES.size()).stream().mapToLong(Status::getId).max()
                .orElseThrow();
        SampleTweetSource restarted = source(0, true);

        List<Status> replays = drain(restarted, FIXTURES.size());

        assertThat(replays).allSatisfy(status -> assertThat(status.getId()).isGreaterThan(lastOfEarlierRun >> 22 << 22));
    }

    @Test
    void rateLimitsHowManyTweetsAreDue() throws Exception {
        SampleTweetSource source = source(2, true);

        assertThat(source.nextBatch()).hasSize(1);
        nanos.addAndGet(250_000_000L);
        assertThat(source.nextBatch()).isEmpty();
        nanos.addAndGet(250_000_000L);
        assertThat(source.nextBatch()).hasSize(1);
        nanos.addAndGet(2_000_000_000L);
        assertThat(source.nextBatch()).hasSize(4);
    }

    @Test
    void unlimitedRateIsBoundedByMaxBatch() throws Exception {
        SampleTweetSource source = source(0, true);
        source.setMaxBatch(3);

        assertThat(source.nextBatch()).hasSize(3);
    }

    @Test
    void limitStopsTheLoopAfterExactlyThatManyTweets() throws Exception {
        SampleTweetSource source = source(0, true);
        source.setMaxBatch(4);
        source.setLimit(11);

        List<Status> sent = drain(source, 100);

        assertThat(sent).hasSize(11);
        assertThat(sent).extracting(Status::getId).doesNotHaveDuplicates();
        assertThat(source.nextBatch()).isEmpty();
    }

    @Test
    void missingFileFailsAtStartWithItsName() {
        SampleTweetSource source = new SampleTweetSource();
        source.setCamelContext(new DefaultCamelContext());
        source.setFile("file:" + dir.resolve("nope.jsonl"));

        assertThatThrownBy(source::start).hasMessageContaining("nope.jsonl");
    }

    @Test
    void lineThatIsNotJsonFailsAtStartWithItsLineNumber() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, Tweets.fixture("emoji").replace('\n', ' ') + "\nnot json\n");
        SampleTweetSource source = new SampleTweetSource();
        source.setCamelContext(new DefaultCamelContext());
        source.setFile("file:" + file);

        assertThatThrownBy(source::start).hasMessageContaining("line 2");
    }

    @Test
    void negativeRateIsRefused() {
        assertThatThrownBy(() -> new SampleTweetSource().setRate(-1)).hasMessageContaining("TWEETS_SAMPLE_RATE");
    }

    private SampleTweetSource source(double rate, boolean loop) throws Exception {
        Path file = dir.resolve("tweets.jsonl");
        List<String> lines = new ArrayList<>();
        for (String fixture : FIXTURES) {
            lines.add(Tweets.JSON.readTree(Tweets.fixture(fixture)).toString());
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        SampleTweetSource source = new SampleTweetSource(nanos::get);
        source.setCamelContext(new DefaultCamelContext());
        source.setFile("file:" + file);
        source.setRate(rate);
        source.setLoop(loop);
        source.start();
        return source;
    }

    private static List<Status> drain(SampleTweetSource source, int count) throws Exception {
        List<Status> sent = new ArrayList<>();
        while (sent.size() < count) {
            List<Status> batch = source.nextBatch();
            if (batch.isEmpty()) {
                break;
            }
            sent.addAll(batch);
        }
        return sent.size() > count ? sent.subList(0, count) : sent;
    }
}
