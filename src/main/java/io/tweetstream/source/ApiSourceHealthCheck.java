package io.tweetstream.source;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of the API source in use (check {@code twitter-source}): DOWN while the source says it
 * cannot deliver tweets (the API refuses the credentials or the access tier, the stream has no
 * rules, it has been reconnecting for too long), UP otherwise. A rate limit or a passing error is
 * waited out and is not a fault of ours. The details say what the source last saw. Each API source
 * reports through {@link ApiSourceStatus}; this check asks every one serving {@code TWEETS_SOURCE}
 * in the registry (the source itself, and for the X sources the post-read budget and X's usage): DOWN
 * when any says so, with each reason.
 */
public class ApiSourceHealthCheck extends AbstractHealthCheck {

    private String source = "";

    public ApiSourceHealthCheck() {
        super("tweetstream", "twitter-source");
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("source", source);
        List<ApiSourceStatus> statuses = !TweetSourceSettings.isApiSource(source) || getCamelContext() == null
                ? List.of()
                : getCamelContext().getRegistry().findByType(ApiSourceStatus.class).stream()
                        .filter(candidate -> candidate.serves(source))
                        .sorted(Comparator.comparing(candidate -> candidate.getClass().getName())).toList();
        if (statuses.isEmpty()) {
            builder.message("No Twitter or X API source in use").up();
            return;
        }
        statuses.forEach(status -> status.details().forEach(builder::detail));
        List<String> notReady = statuses.stream().map(ApiSourceStatus::notReadyReason).flatMap(Optional::stream).toList();
        if (!notReady.isEmpty()) {
            builder.message(String.join("; ", notReady)).down();
        } else {
            builder.up();
        }
    }

    public void setSource(String source) {
        this.source = source == null ? "" : source;
    }
}
