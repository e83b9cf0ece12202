package io.tweetstream.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

/**
 * End-to-end freshness of consumed tweets, as two Micrometer timers (histograms, so p50/p99 can be
 * read in Prometheus): {@code tweetstream.freshness.created} from the tweet's {@code createdAt} to
 * its consumption, and {@code tweetstream.freshness.ingested} from {@code ingestedAt} (when
 * tweetstream normalised it) to its consumption.
 */
public class TweetFreshness implements CamelContextAware {

    private final Clock clock;
    private CamelContext camelContext;
    private Timer created;
    private Timer ingested;

    public TweetFreshness() {
        this(Clock.systemUTC());
    }

    public TweetFreshness(Clock clock) {
        this.clock = clock;
    }

    public void record(TweetEvent event) {
        Instant now = clock.instant();
        observe(timers()[0], event.createdAt(), now);
        observe(timers()[1], event.ingestedAt(), now);
    }

    private static void observe(Timer timer, String timestamp, Instant now) {
        try {
            Duration age = Duration.between(Instant.parse(timestamp), now);
            timer.record(age.isNegative() ? Duration.ZERO : age);
        } catch (DateTimeParseException | NullPointerException e) {
            // a schema-valid event always has both; nothing to observe otherwise
        }
    }

    private synchronized Timer[] timers() {
        if (created == null) {
            MeterRegistry registry = camelContext.getRegistry().findSingleByType(MeterRegistry.class);
            if (registry == null) {
                registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            }
            created = Timer.builder("tweetstream.freshness.created")
                    .description("Time from a tweet's createdAt to its consumption")
                    .publishPercentileHistogram().maximumExpectedValue(Duration.ofDays(7)).register(registry);
            ingested = Timer.builder("tweetstream.freshness.ingested")
                    .description("Time from a tweet's ingestedAt (normalised by tweetstream) to its consumption")
                    .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        }
        return new Timer[] {created, ingested};
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
