package io.tweetstream.source;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The rate-limit headers of the Twitter and X APIs ({@code x-rate-limit-limit}, {@code -remaining},
 * {@code -reset} in epoch seconds, and HTTP's {@code Retry-After} in seconds), read from an answer's
 * headers by name.
 */
public final class RateLimitHeaders {

    public static final String REMAINING = "x-rate-limit-remaining";
    public static final String RESET = "x-rate-limit-reset";
    public static final String RETRY_AFTER = "Retry-After";

    private RateLimitHeaders() {
    }

    /** A header's value as a non-negative whole number, or null when absent or not one. */
    public static Long number(String header) {
        return header != null && header.strip().matches("\\d{1,18}") ? Long.valueOf(header.strip()) : null;
    }

    /**
     * How long until {@code x-rate-limit-reset}, one second more (the reset is in whole seconds and
     * clocks differ); one second when it has passed already.
     */
    public static Optional<Duration> untilReset(UnaryOperator<String> headers, Instant now) {
        Long reset = number(headers.apply(RESET));
        if (reset == null) {
            return Optional.empty();
        }
        Duration untilReset = Duration.between(now, Instant.ofEpochSecond(reset));
        return Optional.of(untilReset.isNegative() ? Duration.ofSeconds(1) : untilReset.plusSeconds(1));
    }

    /** How long a 429 asks to wait: {@code Retry-After}, else until {@code x-rate-limit-reset}. */
    public static Optional<Duration> rateLimitWait(UnaryOperator<String> headers, Instant now) {
        Long retryAfter = number(headers.apply(RETRY_AFTER));
        if (retryAfter != null) {
            return Optional.of(Duration.ofSeconds(retryAfter));
        }
        return untilReset(headers, now);
    }
}
