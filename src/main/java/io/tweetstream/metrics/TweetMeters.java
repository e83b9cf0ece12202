package io.tweetstream.metrics;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tweetstream.event.TweetEvent;
import io.tweetstream.event.TweetNormalizer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;

/**
 * The meters of the tweet flows, counted once per tweet: {@code tweetstream.tweets.received},
 * {@code .published} and {@code .duplicates} by source, {@code .consumed}, and the end-to-end
 * freshness timers of consumed tweets (histograms, so p50/p99 can be read in Prometheus):
 * {@code tweetstream.freshness.created} from the tweet's {@code createdAt} to its consumption and
 * {@code tweetstream.freshness.ingested} from {@code ingestedAt} (when tweetstream normalised it).
 *
 * <p>The counters carry the same tags as those of Camel's {@code micrometer:} endpoint
 * ({@code camelContext}, and {@code source}), which the rarer meters of the routes still use. On
 * the per-tweet path a bean is cheaper: the endpoint looks each meter up and evaluates its tags for
 * every message, and clears its headers with a regular expression compiled per header
 * (bench/run measured it among the largest costs of both flows).
 */
public class TweetMeters implements CamelContextAware {

    private static final String UNKNOWN_SOURCE = "unknown";
    private static final String RECEIVED = "tweetstream.tweets.received";
    private static final String PUBLISHED = "tweetstream.tweets.published";
    private static final String DUPLICATES = "tweetstream.tweets.duplicates";
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            RECEIVED, "Tweets a source handed to tweets-to-kafka",
            PUBLISHED, "Tweet events acknowledged by Kafka",
            DUPLICATES, "Tweets dropped because their id was already published");

    private final Clock clock;
    /** The counters by source, under "name source". */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private CamelContext camelContext;
    private volatile Counter consumed;
    private volatile Timer created;
    private volatile Timer ingested;
    private double lastPublished;
    private long lastPublishedAt = System.nanoTime();

    public TweetMeters() {
        this(Clock.systemUTC());
    }

    public TweetMeters(Clock clock) {
        this.clock = clock;
    }

    /** A source handed a tweet to tweets-to-kafka. */
    public void received(@ExchangeProperty(TweetNormalizer.SOURCE_PROPERTY) String source) {
        counter(RECEIVED, source).increment();
    }

    /** A source handed a batch of tweets (a list, or one tweet) to tweets-to-kafka. */
    public void receivedAll(@Body Object tweets, @ExchangeProperty(TweetNormalizer.SOURCE_PROPERTY) String source) {
        int count = tweets instanceof java.util.Collection<?> batch ? batch.size() : tweets == null ? 0 : 1;
        counter(RECEIVED, source).increment(count);
    }

    /** Kafka acknowledged a tweet event. */
    public void published(@ExchangeProperty(TweetNormalizer.SOURCE_PROPERTY) String source) {
        published(source, 1);
    }

    /** Kafka acknowledged this many tweet events of a batch. */
    public void published(String source, long count) {
        if (count > 0) {
            counter(PUBLISHED, source).increment(count);
        }
    }

    /** A tweet was dropped because its id was published before. */
    public void duplicate(@ExchangeProperty(TweetNormalizer.SOURCE_PROPERTY) String source) {
        counter(DUPLICATES, source).increment();
    }

    /**
     * The throughput line of the ingest flow: tweets published (all sources) since the last call and
     * their rate over the time since then, with the total; null when none were published since.
     */
    public synchronized String publishedSince() {
        double total = counters.entrySet().stream().filter(e -> e.getKey().startsWith(PUBLISHED + ' '))
                .mapToDouble(e -> e.getValue().count()).sum();
        long now = System.nanoTime();
        long count = (long) (total - lastPublished);
        double seconds = Math.max(1e-3, (now - lastPublishedAt) / 1e9);
        lastPublished = total;
        lastPublishedAt = now;
        if (count <= 0) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "Published %,d tweets in the last %.1f s: %,.0f tweets/s (%,d in all)",
                        count, seconds, count / seconds, (long) total);
    }

    /** kafka-to-log processed a tweet event: counted, and its freshness observed. */
    public void consumed(TweetEvent event) {
        if (consumed == null) {
            registerConsumerMeters();
        }
        consumed.increment();
        Instant now = clock.instant();
        observe(created, event.createdAt(), now);
        observe(ingested, event.ingestedAt(), now);
    }

    private static void observe(Timer timer, String timestamp, Instant now) {
        if (timestamp == null) {
            return;
        }
        try {
            long ageNanos = Duration.between(IsoInstants.parse(timestamp), now).toNanos();
            timer.record(Math.max(0, ageNanos), TimeUnit.NANOSECONDS);
        } catch (DateTimeException | ArithmeticException e) {
            // a schema-valid event always has both; nothing to observe otherwise
        }
    }

    private Counter counter(String name, String source) {
        String tag = source == null || source.isBlank() ? UNKNOWN_SOURCE : source;
        Counter counter = counters.get(name + ' ' + tag);
        if (counter == null) {
            counter = counters.computeIfAbsent(name + ' ' + tag, key -> Counter.builder(name)
                    .description(DESCRIPTIONS.get(name))
                    .tag(MicrometerConstants.CAMEL_CONTEXT_TAG, camelContext.getName()).tag("source", tag)
                    .register(registry()));
        }
        return counter;
    }

    private synchronized void registerConsumerMeters() {
        if (consumed != null) {
            return;
        }
        MeterRegistry registry = registry();
        created = Timer.builder("tweetstream.freshness.created")
                .description("Time from a tweet's createdAt to its consumption")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofDays(7)).register(registry);
        ingested = Timer.builder("tweetstream.freshness.ingested")
                .description("Time from a tweet's ingestedAt (normalised by tweetstream) to its consumption")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        consumed = Counter.builder("tweetstream.tweets.consumed").description("Tweet events processed by kafka-to-log")
                .tag(MicrometerConstants.CAMEL_CONTEXT_TAG, camelContext.getName()).register(registry);
    }

    /** The application's meter registry, the one camel-micrometer and its endpoints use. */
    private MeterRegistry registry() {
        return MicrometerUtils.getOrCreateMeterRegistry(camelContext.getRegistry(),
                MicrometerConstants.METRICS_REGISTRY_NAME);
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }
}
