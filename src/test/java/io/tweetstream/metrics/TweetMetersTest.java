package io.tweetstream.metrics;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tweetstream.event.TweetEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TweetMetersTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    private final CamelContext context = new DefaultCamelContext();
    private final TweetMeters meters = new TweetMeters(Clock.fixed(NOW, ZoneOffset.UTC));

    @BeforeEach
    void start() {
        context.getCamelContextExtension().setName("tweetstream");
        context.start();
        meters.setCamelContext(context);
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void countsEachFlowBySourceAndAnUnknownSourceAsUnknown() {
        meters.received("sample");
        meters.received("sample");
        meters.received("x-v2-search");
        meters.published("sample");
        meters.duplicate(null);

        assertThat(count("tweetstream.tweets.received", "sample")).isEqualTo(2);
        assertThat(count("tweetstream.tweets.received", "x-v2-search")).isEqualTo(1);
        assertThat(count("tweetstream.tweets.published", "sample")).isEqualTo(1);
        assertThat(count("tweetstream.tweets.duplicates", "unknown")).isEqualTo(1);
        assertThat(registry().get("tweetstream.tweets.received").tag("source", "sample").counter().getId()
                .getTag(MicrometerConstants.CAMEL_CONTEXT_TAG)).isEqualTo("tweetstream");
    }

    @Test
    void theThroughputLineCountsTheTweetsOfBatchesPublishedSinceTheLastLine() {
        assertThat(meters.publishedSince()).as("nothing published: no line").isNull();
        meters.published("sample", 2000);
        meters.published("x-v2-search", 30);
        meters.receivedAll(java.util.List.of("a", "b", "c"), "sample");

        assertThat(meters.publishedSince()).startsWith("Published 2,030 tweets in the last ").endsWith("(2,030 in all)");
        assertThat(count("tweetstream.tweets.received", "sample")).isEqualTo(3);
        assertThat(meters.publishedSince()).as("none since").isNull();
        meters.published("sample", 1);
        assertThat(meters.publishedSince()).startsWith("Published 1 tweets").endsWith("(2,031 in all)");
    }

    @Test
    void isTheSameMeterTheMicrometerEndpointCounts() {
        context.createProducerTemplate().sendBody(
                "micrometer:counter:tweetstream.tweets.received?tags.source=twitter-search", "a tweet");
        meters.received("twitter-search");

        assertThat(registry().find("tweetstream.tweets.received").counters()).hasSize(1);
        assertThat(count("tweetstream.tweets.received", "twitter-search")).isEqualTo(2);
    }

    @Test
    void aConsumedTweetIsCountedWithItsAgeSinceCreatedAndIngested() {
        meters.consumed(event("2026-11-25T09:59:00Z", "2026-11-25T09:59:59.750Z"));

        assertThat(registry().get("tweetstream.tweets.consumed").counter().count()).isEqualTo(1);
        Timer created = registry().get("tweetstream.freshness.created").timer();
        Timer ingested = registry().get("tweetstream.freshness.ingested").timer();
        assertThat(created.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(60_000);
        assertThat(ingested.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
    }

    @Test
    void aTimestampInTheFutureCountsAsNoDelayAndOneThatIsNoInstantIsNotObserved() {
        meters.consumed(event("2026-11-25T10:00:05Z", "not a timestamp"));

        assertThat(registry().get("tweetstream.tweets.consumed").counter().count()).isEqualTo(1);
        assertThat(registry().get("tweetstream.freshness.created").timer().count()).isEqualTo(1);
        assertThat(registry().get("tweetstream.freshness.created").timer().max(TimeUnit.NANOSECONDS)).isZero();
        assertThat(registry().get("tweetstream.freshness.ingested").timer().count()).isZero();
    }

    private double count(String name, String source) {
        return registry().get(name).tag("source", source).counter().count();
    }

    private MeterRegistry registry() {
        return context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
    }

    private static TweetEvent event(String createdAt, String ingestedAt) {
        return new TweetEvent(TweetEvent.SCHEMA_VERSION, "1", createdAt, "text", "en",
                new TweetEvent.User("2", "ada", "Ada", 1), List.of(), List.of(), List.of(), null, null, null,
                "sample", ingestedAt);
    }
}
