package io.tweetstream.twitter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import io.tweetstream.twitter.TwitterPollStrategy.Condition;
import org.apache.camel.Endpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import twitter4j.TwitterException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class TwitterPollStrategyTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final TwitterPollStrategy strategy = new TwitterPollStrategy(clock);
    private final Endpoint endpoint = mock(Endpoint.class);

    @BeforeEach
    void setUp() {
        when(endpoint.getEndpointBaseUri()).thenReturn("twitter-search://kafka");
        strategy.setInitialBackoffMs(1_000);
        strategy.setMaxBackoffMs(5_000);
        strategy.setRefusedRetryMs(60_000);
    }

    @Test
    void serverErrorsBackOffDoublingUpToTheMaximum() {
        assertThat(failAndMeasureWait(new TwitterException("Internal error", null, 500))).isEqualTo(Duration.ofSeconds(1));
        assertThat(failAndMeasureWait(new TwitterException("Internal error", null, 502))).isEqualTo(Duration.ofSeconds(2));
        assertThat(failAndMeasureWait(new TwitterException("Internal error", null, 503))).isEqualTo(Duration.ofSeconds(4));
        assertThat(failAndMeasureWait(new TwitterException("Internal error", null, 500))).isEqualTo(Duration.ofSeconds(5));
        assertThat(strategy.state().condition()).isEqualTo(Condition.FAILING);
        assertThat(strategy.state().consecutiveFailures()).isEqualTo(4);
    }

    @Test
    void pollsAreSkippedUntilTheBackOffIsOver() {
        strategy.rollback(null, endpoint, 0, new TwitterException("Internal error", null, 500));

        assertThat(strategy.begin(null, endpoint)).isFalse();
        clock.advance(Duration.ofMillis(999));
        assertThat(strategy.begin(null, endpoint)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(strategy.begin(null, endpoint)).isTrue();
    }

    @Test
    void successResetsTheBackOffAndRecordsThePoll() {
        strategy.rollback(null, endpoint, 0, new TwitterException("Internal error", null, 500));
        clock.advance(Duration.ofSeconds(1));
        strategy.commit(null, endpoint, 15);

        assertThat(strategy.state().condition()).isEqualTo(Condition.OK);
        assertThat(strategy.state().lastSuccessfulPoll()).isEqualTo(clock.instant());
        assertThat(failAndMeasureWait(new TwitterException("Internal error", null, 500))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void refusedCredentialsRetrySlowlyAndReportRefused() {
        assertThat(failAndMeasureWait(new TwitterException("Could not authenticate you.", null, 401)))
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(strategy.state().condition()).isEqualTo(Condition.REFUSED);
        assertThat(strategy.state().message()).contains("refused the credentials or the access tier");
        assertThat(failAndMeasureWait(new TwitterException("Forbidden", null, 403))).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void malformedResponseIsAFailureToBackOffFrom() {
        TwitterException malformed = new TwitterException("Unterminated object at character 12",
                null, 200);

        assertThat(failAndMeasureWait(malformed)).isEqualTo(Duration.ofSeconds(1));
        assertThat(strategy.state().message()).startsWith("malformed response");
    }

    @Test
    void rateLimitWithoutHeadersFallsBackToTheBackOff() {
        assertThat(failAndMeasureWait(new TwitterException("Rate limit exceeded", null, 429)))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(strategy.state().condition()).isEqualTo(Condition.RATE_LIMITED);
    }

    private Duration failAndMeasureWait(Exception e) {
        strategy.rollback(null, endpoint, 0, e);
        Duration wait = Duration.between(clock.instant(), strategy.state().nextPollNotBefore());
        clock.advance(wait);
        return wait;
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
