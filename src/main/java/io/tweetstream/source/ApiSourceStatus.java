package io.tweetstream.source;

import java.util.Map;
import java.util.Optional;

/**
 * What an API source (a poller of the Twitter or X API, the X filtered stream) tells the readiness
 * check: whether it can deliver tweets now, and what it last saw. {@link ApiSourceHealthCheck} asks
 * the one that serves the configured {@code TWEETS_SOURCE}.
 */
public interface ApiSourceStatus {

    /** Whether this is the status of that source ({@code TWEETS_SOURCE}). */
    boolean serves(String source);

    /** Why the source cannot deliver tweets now (readiness DOWN), or empty while it can. */
    Optional<String> notReadyReason();

    /** What the source last saw, for {@code /observe/health?data=true}; never a secret. */
    Map<String, Object> details();
}
