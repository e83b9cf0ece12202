package io.tweetstream.source.twitter;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.tweetstream.MutableClock;
import io.tweetstream.source.twitter.TwitterPollStrategy.Condition;
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

    @Test
    void aSuccessThatUsedTheLastRequestOfTheWindowWaitsForTheReset() {
        Instant reset = clock.instant().plusSeconds(90);

        strategy.succeeded(X_SEARCH, 10, headers(Map.of("x-rate-limit-remaining", "0",
                "x-rate-limit-reset", Long.toString(reset.getEpochSecond()))));

        assertThat(strategy.state().condition()).isEqualTo(Condition.OK);
        assertThat(strategy.state().nextPollNotBefore()).isEqualTo(reset.plusSeconds(1));
        assertThat(strategy.isDue()).isFalse();
        clock.advance(Duration.ofSeconds(91));
        assertThat(strategy.isDue()).isTrue();
    }

    @Test
    void aSuccessWithRequestsLeftLetsTheNextPollGoOut() {
        strategy.succeeded(X_SEARCH, 10, headers(Map.of("x-rate-limit-remaining", "59",
                "x-rate-limit-reset", Long.toString(clock.instant().plusSeconds(900).getEpochSecond()))));

        assertThat(strategy.isDue()).isTrue();
    }

    @Test
    void anHttp429WaitsUntilTheResetItAnnounces() {
        strategy.setSource("x-v2-search");
        Instant reset = clock.instant().plusSeconds(120);

        strategy.failed(X_SEARCH, 429, headers(Map.of("x-rate-limit-remaining", "0",
                "x-rate-limit-reset", Long.toString(reset.getEpochSecond()))), "Too Many Requests");

        assertThat(strategy.state().condition()).isEqualTo(Condition.RATE_LIMITED);
        assertThat(strategy.state().nextPollNotBefore()).isEqualTo(reset.plusSeconds(1));
    }

    @Test
    void serverErrorsOfTheXApiBackOffLikeThoseOfCamelTwitter() {
        strategy.setSource("x-v2-search");

        strategy.failed(X_SEARCH, 503, headers(Map.of()), "HTTP 503 (server error)");
        assertThat(Duration.between(clock.instant(), strategy.state().nextPollNotBefore())).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        strategy.failed(X_SEARCH, -1, headers(Map.of()), "no answer");

        assertThat(Duration.between(clock.instant(), strategy.state().nextPollNotBefore())).isEqualTo(Duration.ofSeconds(2));
        assertThat(strategy.state().condition()).isEqualTo(Condition.FAILING);
        assertThat(strategy.state().message()).isEqualTo("no answer");
    }

    @Test
    void aRefusedBearerTokenIsReportedAsTheXApiRefusingAccess() {
        strategy.setSource("x-v2-search");

        strategy.failed(X_SEARCH, 403, headers(Map.of()), "Client Forbidden: client-not-enrolled");

        assertThat(strategy.state().condition()).isEqualTo(Condition.REFUSED);
        assertThat(strategy.state().message()).isEqualTo("HTTP 403: the X API refused the credentials or the access tier");
        assertThat(Duration.between(clock.instant(), strategy.state().nextPollNotBefore())).isEqualTo(Duration.ofMinutes(1));
    }

    private static final String X_SEARCH = "https://api.x.com/2/tweets/search/recent";

    private static java.util.function.UnaryOperator<String> headers(Map<String, String> headers) {
        return name -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private Duration failAndMeasureWait(Exception e) {
        strategy.rollback(null, endpoint, 0, e);
        Duration wait = Duration.between(clock.instant(), strategy.state().nextPollNotBefore());
        clock.advance(wait);
        return wait;
    }
}
