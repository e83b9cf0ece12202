package io.tweetstream.source.xstream;

import java.time.Duration;

import io.tweetstream.source.xstream.StreamBackoff.Failure;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StreamBackoffTest {

    private static final Duration NETWORK = Duration.ofSeconds(1);
    private static final Duration HTTP = Duration.ofSeconds(2);
    private static final Duration RATE_LIMIT = Duration.ofSeconds(3);
    private static final Duration MAX = Duration.ofSeconds(20);
    private static final Duration HEALTHY_AFTER = Duration.ofSeconds(30);

    private final StreamBackoff backoff = new StreamBackoff(NETWORK, HTTP, RATE_LIMIT, MAX, HEALTHY_AFTER);

    @Test
    void networkWaitsGrowLinearlyByTheStepUpToTheMaximum() {
        for (int attempt = 1; attempt <= 20; attempt++) {
            assertThat(backoff.after(Failure.NETWORK)).as("network attempt %d", attempt)
                    .isEqualTo(NETWORK.multipliedBy(attempt));
        }
        assertThat(backoff.after(Failure.NETWORK)).isEqualTo(MAX);
        assertThat(backoff.after(Failure.NETWORK)).isEqualTo(MAX);
    }

    @Test
    void httpWaitsDoubleFromTheirInitialUpToTheMaximum() {
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(MAX);
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(MAX);
    }

    @Test
    void aLongRunOfHttpFailuresStaysAtTheMaximum() {
        for (int attempt = 1; attempt <= 100; attempt++) {
            assertThat(backoff.after(Failure.HTTP)).as("http attempt %d", attempt)
                    .isPositive().isLessThanOrEqualTo(MAX);
        }
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(MAX);
    }

    @Test
    void rateLimitsDoubleFromTheirOwnInitialUpToTheMaximum() {
        assertThat(backoff.after(Failure.RATE_LIMIT)).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.after(Failure.RATE_LIMIT)).isEqualTo(Duration.ofSeconds(6));
        assertThat(backoff.after(Failure.RATE_LIMIT)).isEqualTo(Duration.ofSeconds(12));
        assertThat(backoff.after(Failure.RATE_LIMIT)).isEqualTo(MAX);
    }

    @Test
    void eachKindOfFailureCountsItsOwnAttempts() {
        assertThat(backoff.after(Failure.NETWORK)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(Failure.NETWORK)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(Failure.RATE_LIMIT)).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.after(Failure.NETWORK)).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.after(Failure.RATE_LIMIT)).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void aConnectionThatStayedUpLongEnoughReconnectsAtOnceAndStartsEveryCountAgain() {
        backoff.after(Failure.NETWORK);
        backoff.after(Failure.NETWORK);
        backoff.after(Failure.HTTP);
        backoff.after(Failure.HTTP);
        backoff.after(Failure.RATE_LIMIT);

        assertThat(backoff.afterConnectionEnded(HEALTHY_AFTER)).isZero();

        assertThat(backoff.after(Failure.HTTP)).isEqualTo(HTTP);
        assertThat(backoff.after(Failure.NETWORK)).isEqualTo(NETWORK);
        assertThat(backoff.after(Failure.RATE_LIMIT)).isEqualTo(RATE_LIMIT);
    }

    @Test
    void aConnectionUpFarLongerThanHealthyAfterAlsoReconnectsAtOnce() {
        backoff.after(Failure.HTTP);

        assertThat(backoff.afterConnectionEnded(Duration.ofHours(5))).isZero();
        assertThat(backoff.after(Failure.HTTP)).isEqualTo(HTTP);
    }

    @Test
    void theFirstDropAfterNoFailuresReconnectsAtOnce() {
        assertThat(backoff.afterConnectionEnded(Duration.ofSeconds(1))).isZero();
    }

    @Test
    void aFlappingStreamBacksOffExponentiallyInsteadOfReconnectingAtOnce() {
        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isZero();
        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isEqualTo(HTTP);
        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isEqualTo(HTTP.multipliedBy(2));
        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isEqualTo(HTTP.multipliedBy(4));
    }

    /** X allows 50 connection attempts per 15 minutes; with X's defaults a flapping stream makes far fewer. */
    @Test
    void aStreamThatDropsAsSoonAsItConnectsStaysFarBelowXsFiftyAttemptsPerFifteenMinutes() {
        StreamBackoff defaults = new StreamBackoff(Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(320), Duration.ofSeconds(30));
        Duration elapsed = Duration.ZERO;
        int attempts = 0;
        while (elapsed.compareTo(Duration.ofMinutes(15)) < 0) {
            attempts++;
            elapsed = elapsed.plus(defaults.afterConnectionEnded(Duration.ofMillis(100)));
        }
        assertThat(attempts).isLessThanOrEqualTo(12);
    }

    @Test
    void aFlappingStreamNeverWaitsLongerThanTheMaximum() {
        for (int drop = 1; drop <= 50; drop++) {
            assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).as("drop %d", drop)
                    .isLessThanOrEqualTo(MAX);
        }
        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isEqualTo(MAX);
    }

    @Test
    void aShortConnectionAfterHttpFailuresGoesOnWithTheirSchedule() {
        backoff.after(Failure.HTTP);

        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isEqualTo(HTTP.multipliedBy(2));
    }

    @Test
    void aConnectionJustShortOfHealthyAfterStillCountsAsFlapping() {
        backoff.afterConnectionEnded(Duration.ofMillis(200));

        assertThat(backoff.afterConnectionEnded(HEALTHY_AFTER.minusMillis(1))).isPositive();
    }

    @Test
    void aConnectionHealthyForHealthyAfterStartsTheCountsAgain() {
        backoff.after(Failure.HTTP);
        backoff.after(Failure.HTTP);
        backoff.after(Failure.NETWORK);

        backoff.healthy(HEALTHY_AFTER);

        assertThat(backoff.after(Failure.HTTP)).isEqualTo(HTTP);
        assertThat(backoff.after(Failure.NETWORK)).isEqualTo(NETWORK);
    }

    @Test
    void aConnectionUpForLessThanHealthyAfterKeepsTheCounts() {
        backoff.after(Failure.HTTP);
        backoff.after(Failure.HTTP);
        backoff.after(Failure.NETWORK);

        backoff.healthy(HEALTHY_AFTER.minusMillis(1));

        assertThat(backoff.after(Failure.HTTP)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.after(Failure.NETWORK)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void afterAHealthyConnectionTheNextDropReconnectsAtOnceAgain() {
        backoff.afterConnectionEnded(Duration.ofMillis(200));
        backoff.afterConnectionEnded(Duration.ofMillis(200));
        backoff.afterConnectionEnded(Duration.ofMillis(200));

        backoff.healthy(HEALTHY_AFTER);

        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isZero();
        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isPositive();
    }

    @Test
    void theMaximumIsTheConfiguredOne() {
        assertThat(backoff.max()).isEqualTo(MAX);
    }
}
