package io.tweetstream.source;

import java.util.Map;
import java.util.Optional;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of the API source in use (check {@code twitter-source}): DOWN while the source says it
 * cannot deliver tweets (the API refuses the credentials or the access tier, the stream has no
 * rules, it has been reconnecting for too long), UP otherwise. A rate limit or a passing error is
 * waited out and is not a fault of ours. The details say what the source last saw. Each API source
 * reports through {@link ApiSourceStatus}; this check finds the one serving {@code TWEETS_SOURCE}
 * in the registry.
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
        Optional<ApiSourceStatus> status = !TweetSourceSettings.isApiSource(source) || getCamelContext() == null
                ? Optional.empty()
                : getCamelContext().getRegistry().findByType(ApiSourceStatus.class).stream()
                        .filter(candidate -> candidate.serves(source)).findFirst();
        if (status.isEmpty()) {
            builder.message("No Twitter or X API source in use").up();
            return;
        }
        status.get().details().forEach(builder::detail);
        Optional<String> notReady = status.get().notReadyReason();
        if (notReady.isPresent()) {
            builder.message(notReady.get()).down();
        } else {
            builder.up();
        }
    }

    public void setSource(String source) {
        this.source = source == null ? "" : source;
    }
}
