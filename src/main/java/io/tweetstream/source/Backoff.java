package io.tweetstream.source;

import java.time.Duration;

/** The waits between attempts of the API sources: linear or doubling steps, never above a cap. */
public final class Backoff {

    private Backoff() {
    }

    /** A wait for a log line: milliseconds below ten seconds, else seconds. */
    public static String describe(Duration wait) {
        return wait.toMillis() < 10_000 ? wait.toMillis() + " ms" : wait.toSeconds() + " s";
    }

    /** {@code step} times {@code attempt} (1 for the first failure), at most {@code max}. */
    public static Duration linear(Duration step, int attempt, Duration max) {
        Duration wait = step.multipliedBy(Math.max(1, attempt));
        return wait.compareTo(max) > 0 ? max : wait;
    }

    /** {@code initial} doubled for every failure after the first ({@code attempt} 1), at most {@code max}. */
    public static Duration exponential(Duration initial, int attempt, Duration max) {
        int doublings = Math.min(Math.max(0, attempt - 1), 30);
        Duration wait = initial.multipliedBy(1L << doublings);
        return wait.isNegative() || wait.compareTo(max) > 0 ? max : wait;
    }
}
