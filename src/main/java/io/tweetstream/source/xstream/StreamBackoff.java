package io.tweetstream.source.xstream;

import java.time.Duration;

import io.tweetstream.source.Backoff;

/**
 * When the filtered stream connects again, as X documents it: at once after an established
 * connection drops; network errors back off linearly ({@code X_STREAM_BACKOFF_NETWORK_MS} per
 * attempt), HTTP errors exponentially from {@code X_STREAM_BACKOFF_HTTP_MS}, 429 exponentially from
 * {@code X_STREAM_BACKOFF_RATE_LIMIT_MS}; every wait at most {@code X_STREAM_BACKOFF_MAX_MS}. Each kind
 * counts its own attempts, and they all start again only once a connection stayed healthy for
 * {@code healthyAfter}: a stream that connects and drops at once keeps backing off, exponentially
 * (no storm; X allows 50 connection attempts per 15 minutes).
 */
public class StreamBackoff {

    /** What ended an attempt or a connection. */
    public enum Failure { NETWORK, HTTP, RATE_LIMIT }

    private final Duration network;
    private final Duration http;
    private final Duration rateLimit;
    private final Duration max;
    private final Duration healthyAfter;
    private int networkAttempts;
    private int httpAttempts;
    private int rateLimitAttempts;
    /** A connection dropped since the stream was last healthy. */
    private boolean dropped;

    public StreamBackoff(Duration network, Duration http, Duration rateLimit, Duration max, Duration healthyAfter) {
        this.network = network;
        this.http = http;
        this.rateLimit = rateLimit;
        this.max = max;
        this.healthyAfter = healthyAfter;
    }

    /** The wait after a failed attempt of this kind. */
    public synchronized Duration after(Failure failure) {
        return switch (failure) {
            case NETWORK -> Backoff.linear(network, ++networkAttempts, max);
            case HTTP -> Backoff.exponential(http, ++httpAttempts, max);
            case RATE_LIMIT -> Backoff.exponential(rateLimit, ++rateLimitAttempts, max);
        };
    }

    /**
     * The wait after an established connection ended (dropped, stalled, operational disconnect) after
     * {@code connectedFor}: none when it had been healthy (and the counts start again), and none for
     * the first drop since; after that the HTTP schedule (doubling from X_STREAM_BACKOFF_HTTP_MS): every
     * connection that X accepted counts against its 50 attempts per 15 minutes, which a linear
     * 250 ms step would exceed.
     */
    public synchronized Duration afterConnectionEnded(Duration connectedFor) {
        if (connectedFor.compareTo(healthyAfter) >= 0) {
            reset();
            return Duration.ZERO;
        }
        if (!dropped && networkAttempts == 0 && httpAttempts == 0 && rateLimitAttempts == 0) {
            // the first drop since the stream was healthy: at once, but remembered
            dropped = true;
            return Duration.ZERO;
        }
        return Backoff.exponential(http, ++httpAttempts, max);
    }

    /** A connection has been healthy for {@code healthyAfter}: the counts start again. */
    public synchronized void healthy(Duration connectedFor) {
        if (connectedFor.compareTo(healthyAfter) >= 0) {
            reset();
        }
    }

    /** The longest wait. */
    public Duration max() {
        return max;
    }

    private void reset() {
        dropped = false;
        networkAttempts = 0;
        httpAttempts = 0;
        rateLimitAttempts = 0;
    }
}
