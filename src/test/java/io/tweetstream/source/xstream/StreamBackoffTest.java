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
    void aFlappingStreamBacksOffLinearlyInsteadOfReconnectingAtOnce() {
        Duration first = backoff.afterConnectionEnded(Duration.ofMillis(200));
        Duration second = backoff.afterConnectionEnded(Duration.ofMillis(200));
        Duration third = backoff.afterConnectionEnded(Duration.ofMillis(200));
        Duration fourth = backoff.afterConnectionEnded(Duration.ofMillis(200));

        assertThat(first).isZero();
        assertThat(second).isPositive();
        assertThat(third).isGreaterThan(second);
        assertThat(fourth).isGreaterThan(third);
        assertThat(fourth.minus(third)).isEqualTo(NETWORK);
    }

    @Test
    void theSecondShortLivedConnectionInARowWaitsOneNetworkStepAndTheThirdTwo() {
        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isZero();
        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isEqualTo(NETWORK);
        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isEqualTo(NETWORK.multipliedBy(2));
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
    void aShortConnectionAfterHttpFailuresWaitsANetworkStepInsteadOfReconnectingAtOnce() {
        backoff.after(Failure.HTTP);

        assertThat(backoff.afterConnectionEnded(Duration.ofMillis(200))).isEqualTo(NETWORK);
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
